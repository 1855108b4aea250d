package dev.lfr.loadtest.bench;

import dev.lfr.cluster.FailureDrill;
import dev.lfr.cluster.LocalCluster;
import dev.lfr.jobs.LiveMatchJob;
import dev.lfr.jobs.SinkDelivery;
import dev.lfr.loadtest.replay.LocalStack;
import dev.lfr.loadtest.replay.Replay;
import dev.lfr.loadtest.replay.ReplayReport;
import dev.lfr.loadtest.replay.ReplaySession;
import dev.lfr.schemas.MatchAlert;
import dev.lfr.topics.KafkaClients;
import dev.lfr.topics.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Recovery on a cluster of processes ({@code ./lfr bench recovery}): with the job running on {@code cluster}, each
 * kind of failure (a TaskManager {@code kill -9}, a broker restart) is made {@code rounds} times, each in the middle
 * of a replay of two cameras at 2 fps for 40 s, and timed until the job runs again.
 */
public final class RecoveryBenchmark {
    /** Frames on the topic (10 s of the replay's) before the failure is made. */
    private static final int FRAMES_BEFORE_FAILURE = 40;

    /** One kind of failure over the rounds. */
    public record Failure(List<Double> recoveredS, double medianS, List<Long> alertLatencyP99Ms,
                          List<Integer> missedWalkPasts, List<Integer> splitWalkPasts) {}

    private RecoveryBenchmark() {}

    /**
     * @param submitJob submits the job to the cluster and returns its id
     * @param reports   the replays' report folders go here, one per round
     * @param progress  one line per round
     * @return by failure: {@code taskmanager_kill}, {@code broker_restart}
     */
    public static Map<String, Failure> run(LocalCluster cluster, Function<LocalCluster, String> submitJob, int rounds,
                                           Replay.Engine engine, Path reports, Consumer<String> progress)
            throws Exception {
        if (rounds < 1) {
            throw new IllegalArgumentException("rounds must be positive");
        }
        FailureDrill drill = new FailureDrill(cluster, Duration.ofMinutes(3));
        String job = submitJob.apply(cluster);
        drill.awaitRunning(job);
        Map<String, Failure> failures = new LinkedHashMap<>();
        Round round = new Round(cluster, drill, rounds, engine, reports, progress);
        failures.put("taskmanager_kill", round.each("taskmanager-kill", () -> drill.killTaskManager(job)));
        failures.put("broker_restart", round.each("broker-restart", () -> drill.restartBroker(job)));
        return failures;
    }

    private record Round(LocalCluster cluster, FailureDrill drill, int rounds, Replay.Engine engine, Path reports,
                         Consumer<String> progress) {
        Failure each(String name, Callable<Duration> failure) throws Exception {
            List<Double> recovered = new ArrayList<>();
            List<Long> p99 = new ArrayList<>();
            List<Integer> missed = new ArrayList<>();
            List<Integer> split = new ArrayList<>();
            String bootstrap = cluster.state().bootstrap();
            for (int i = 1; i <= rounds; i++) {
                Path out = Files.createDirectories(reports.resolve(name + "-" + i));
                long before = KafkaClients.recordsWritten(bootstrap, Topics.FRAMES);
                CompletableFuture<ReplayReport> replay = CompletableFuture.supplyAsync(() -> {
                    try {
                        return replay(bootstrap, out);
                    } catch (Exception e) {
                        throw new CompletionException(e);
                    }
                });
                drill.await("10 s of frames sent", () -> replay.isDone()
                        || KafkaClients.recordsWritten(bootstrap, Topics.FRAMES) >= before + FRAMES_BEFORE_FAILURE);
                double seconds = failure.call().toMillis() / 1000.0;
                ReplayReport r = replay.join();
                recovered.add(seconds);
                p99.add(r.latency().p99Ms());
                missed.add(r.groundTruth().missedWalkPasts());
                split.add(r.groundTruth().splitWalkPasts());
                progress.accept(String.format(java.util.Locale.ROOT,
                        "%s %d: recovered in %.1f s, alert latency p99 %d ms, %d walk-past(s) missed", name, i, seconds,
                        r.latency().p99Ms(), r.groundTruth().missedWalkPasts()));
            }
            return new Failure(recovered, median(recovered), p99, missed, split);
        }

        /** Two cameras, one face in view at 2 fps for 40 s, against the job already running on the cluster. */
        private ReplayReport replay(String bootstrap, Path out) throws Exception {
            ReplaySession.Plan plan = new ReplaySession.Plan(Replay.cameras(2), 2, false, 40, 0, 180, bootstrap, false,
                    LiveMatchJob.DEFAULT_GROUP, 2, LocalStack.LocalJob.CHECKPOINT_MS, SinkDelivery.defaults(), 0,
                    engine.embeddingModel(), engine.dimension(), engine.threshold(), false, List.of(), Map.of());
            Replay.Scenes scenes = new Replay.Scenes(null, 50, 1, 2, 1, null, 640, 480, null, null, 0);
            return Replay.run(engine, scenes, plan, false, out, new ReplaySession.Listener() {
                @Override
                public void line(String text) {}

                @Override
                public void alert(MatchAlert alert, long latencyMs) {}

                @Override
                public void sent(long frames) {}
            });
        }
    }

    static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}
