package dev.lfr.cluster;

import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * Failures made on purpose on a local cluster that runs a job, each returning the time until the job runs again:
 * what the chaos suite asserts around and what {@code lfr bench recovery} reports.
 */
public final class FailureDrill {
    private final LocalCluster cluster;
    private final Duration timeout;

    /** @param timeout how long a recovery may take before the drill gives up */
    public FailureDrill(LocalCluster cluster, Duration timeout) {
        this.cluster = cluster;
        this.timeout = timeout;
    }

    /**
     * {@code kill -9} of the newest TaskManager, a fresh one started at once; until every task of {@code job} runs
     * again (the JobManager must first notice the loss).
     */
    public Duration killTaskManager(String job) {
        List<Long> tms = cluster.status().pids().taskmanagers();
        long t0 = System.nanoTime();
        cluster.killTaskManager(tms.get(tms.size() - 1));
        cluster.addTaskManager();
        await("the failure noticed", () -> !cluster.rest().allTasksRunning(job));
        awaitRunning(job);
        return Duration.ofNanos(System.nanoTime() - t0);
    }

    /**
     * The broker stopped (SIGTERM) and started again on its data; until a checkpoint of {@code job} completes after
     * the restart (its sinks have flushed to the broker again).
     */
    public Duration restartBroker(String job) {
        long before = cluster.rest().completedCheckpoints(job);
        long t0 = System.nanoTime();
        cluster.restartBroker();
        await("a checkpoint after the broker's restart", () -> cluster.rest().completedCheckpoints(job) > before + 1);
        return Duration.ofNanos(System.nanoTime() - t0);
    }

    public void awaitRunning(String job) {
        await("job " + job + " running", () -> cluster.rest().allTasksRunning(job));
    }

    /** @throws ClusterException when {@code condition} does not hold within the drill's timeout */
    public void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new ClusterException("gave up after " + timeout.toSeconds() + " s waiting for " + what);
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ClusterException("interrupted waiting for " + what);
            }
        }
    }
}
