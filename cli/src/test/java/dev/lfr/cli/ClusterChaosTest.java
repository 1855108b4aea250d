package dev.lfr.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lfr.cluster.Builds;
import dev.lfr.cluster.FailureDrill;
import dev.lfr.cluster.LocalCluster;
import dev.lfr.schemas.AvroBytes;
import dev.lfr.schemas.DeploymentMetrics;
import dev.lfr.topics.KafkaClients;
import dev.lfr.topics.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The chaos suite (issue 11): the live job on a real cluster of processes ({@code lfr cluster up}: a Kafka broker, a
 * JobManager and TaskManagers, each its own JVM), submitted as the shaded jar through the REST API ({@code lfr job
 * submit}), while walk-pasts are replayed at a steady rate ({@code lfr replay --cluster}). Each scenario breaks
 * something in the middle of a replay, then scores the alerts against the replay's ground truth: no watchlisted
 * walk-past missed, none under two alert ids, and every metrics window readable once (read_committed), the windows
 * together counting every frame sent. The time until the job ran again is printed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterChaosTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration RECOVERY_TIMEOUT = Duration.ofSeconds(120);

    /** Kept after the run (logs, reports, savepoints) for a look when a scenario fails; cleared at the next. */
    private static final Path tmp = Path.of("target/chaos").toAbsolutePath();

    private LocalCluster cluster;
    private FailureDrill drill;
    private String jobId;

    @BeforeAll
    void startClusterAndJob() throws java.io.IOException {
        if (Files.exists(tmp)) {
            try (var files = Files.walk(tmp)) {
                for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
        // one slot a TaskManager, so that each TaskManager runs one of the job's subtasks and a kill always hits one
        cluster = LocalCluster.up(new LocalCluster.Settings(tmp.resolve("cluster"), 2, 1, "2g", 6, Map.of()), Builds.ofThisCheckout());
        drill = new FailureDrill(cluster, RECOVERY_TIMEOUT);
        jobId = launch("submit", "--parallelism", "2");
        drill.awaitRunning(jobId);
    }

    @AfterAll
    void stopCluster() {
        if (cluster != null) {
            cluster.down();
        }
    }

    @Test
    @Order(1)
    void aKilledTaskManagerIsReplacedAndNoAlertIsLostOrSplit() throws Exception {
        Scenario s = replayWhile("taskmanager-kill", () -> drill.killTaskManager(jobId));
        s.assertNothingLostOrSplit();
    }

    @Test
    @Order(2)
    void aBrokerRestartLosesNoAlert() throws Exception {
        Scenario s = replayWhile("broker-restart", () -> drill.restartBroker(jobId));
        s.assertNothingLostOrSplit();
        assertThat(cluster.rest().state(jobId)).isEqualTo("RUNNING");
    }

    @Test
    @Order(3)
    void aSavepointResumesAtAHigherParallelismWithItsKeyedState() throws Exception {
        cluster.addTaskManager();
        cluster.awaitTaskManagers(3);
        Scenario s = replayWhile("rescale-2-to-3", () -> {
            long t0 = System.nanoTime();
            LfrCommandLineTest.Run stop = LfrCommandLineTest.lfr("job", "savepoint", jobId, "--stop", "--cluster", cluster.dir().toString());
            assertThat(stop.code()).as(stop.err()).isZero();
            String savepoint = stop.out().strip();
            assertThat(savepoint).startsWith("file:");
            // a new job in TaskManagers that ran the old one: the natives load again in a new user-code class loader
            jobId = launch("resume", "--parallelism", "3", "--savepoint", savepoint);
            drill.awaitRunning(jobId);
            return Duration.ofNanos(System.nanoTime() - t0);
        });
        s.assertNothingLostOrSplit();
        assertThat(cluster.rest().jobs()).filteredOn(j -> j.id().equals(jobId)).singleElement()
                .satisfies(j -> assertThat(j.state()).isEqualTo("RUNNING"));
        assertThat(cluster.rest().parallelism(jobId)).isEqualTo(3);
        // a replay against the cluster counts the job's own subtasks in its model-only bound, not a guess; 2 is the
        // replay's default, refused all the same when given
        LfrCommandLineTest.Run wrong = LfrCommandLineTest.lfr("replay", "--cluster", cluster.dir().toString(),
                "--parallelism", "2");
        assertThat(wrong.code()).isNotZero();
        assertThat(wrong.err().strip()).isEqualTo("lfr: --parallelism 2: the job on the cluster runs with 3; leave the"
                + " option out with --cluster");
    }

    @Test
    @Order(4)
    void twoFailoversInARowReloadTheNativeLibrariesInTheSurvivingTaskManagers() throws Exception {
        Scenario s = replayWhile("two-failovers", () -> {
            long t0 = System.nanoTime();
            for (int i = 0; i < 2; i++) {
                drill.killTaskManager(jobId);
            }
            return Duration.ofNanos(System.nanoTime() - t0);
        });
        s.assertNothingLostOrSplit();
    }

    /** What a replay with a failure in the middle showed. */
    private record Scenario(String name, JsonNode report, Duration recovery, String deployment, String bootstrap) {
        void assertNothingLostOrSplit() throws InterruptedException {
            JsonNode truth = report.path("ground_truth");
            System.out.printf(Locale.ROOT, "chaos %s: recovered in %.1f s; latency %s; %s%n", name, recovery.toMillis() / 1000.0,
                    report.path("latency"), truth);
            assertThat(truth.path("enrolled_walk_pasts").asInt()).as("walk-pasts of watchlisted people").isPositive();
            assertThat(truth.path("missed_walk_pasts").asInt()).as("watchlisted walk-pasts with no alert").isZero();
            assertThat(truth.path("split_walk_pasts").asInt()).as("walk-pasts under two alert ids").isZero();
            // false alerts are the models' errors (near-threshold scores of other faces), measured by the accuracy
            // tests; they are printed above, not asserted here
            assertEveryWindowCountedOnce(report.path("throughput").path("frames").asLong());
        }

        /**
         * The job writes metric windows in Kafka transactions that commit with its checkpoints (records.delivery
         * exactly-once, the default): a read_committed reader sees each window once, though a failover makes the job
         * publish again the windows of the aborted attempt, and those copies together count every frame sent once.
         */
        private void assertEveryWindowCountedOnce(long framesSent) throws InterruptedException {
            long deadline = System.currentTimeMillis() + 90_000; // the last window closes once the cameras are quiet
            long frames = 0;
            Map<String, Integer> copies = new HashMap<>();
            while (System.currentTimeMillis() < deadline) {
                copies.clear();
                frames = 0;
                for (var r : KafkaClients.readToEnd(bootstrap, Topics.METRICS)) {
                    DeploymentMetrics m = AvroBytes.decode(r.value(), DeploymentMetrics.class);
                    if (deployment.equals(m.getDeployment())) {
                        copies.merge(new String(r.key(), StandardCharsets.UTF_8), 1, Integer::sum);
                        frames += m.getCamera() == null ? m.getFrames() : 0;
                    }
                }
                if (frames >= framesSent) {
                    break;
                }
                Thread.sleep(2_000);
            }
            assertThat(copies).as("committed records of each metrics window").isNotEmpty().allSatisfy((window, n) -> assertThat(n).as(window).isOne());
            assertThat(frames).as("frames counted by the published windows").isEqualTo(framesSent);
        }
    }

    interface Chaos {
        Duration run() throws Exception;
    }

    /** Replays 40 s of walk-pasts (2 cameras at 2 fps) and runs {@code chaos} once 10 s of its frames are sent. */
    private Scenario replayWhile(String name, Chaos chaos) throws Exception {
        Path out = tmp.resolve(name);
        CompletableFuture<LfrCommandLineTest.Run> replay = CompletableFuture.supplyAsync(() -> LfrCommandLineTest.lfr("replay",
                "--cluster", cluster.dir().toString(), "--cameras", "2", "--fps", "2", "--duration", "40", "--faces", "1",
                "--size", "640x480", "--drain", "180", "--out", out.toString()));
        Duration recovery;
        try {
            long before = KafkaClients.recordsWritten(cluster.state().bootstrap(), Topics.FRAMES);
            drill.await("10 s of frames sent", () -> KafkaClients.recordsWritten(cluster.state().bootstrap(), Topics.FRAMES) >= before + 40); // the failure comes mid-replay
            assertThat(replay).as("the replay ended before the failure").isNotDone();
            recovery = chaos.run();
        } finally {
            replay.join(); // never two replays at once, even when a scenario fails
        }
        LfrCommandLineTest.Run r = replay.get();
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode report = JSON.readTree(Files.readString(out.resolve("report.json")));
        // the cluster's processes are counted apart (a process that a failure replaced is left out)
        assertThat(report.path("capacity").path("processes")).as("the stack's processes").isNotEmpty()
                .allSatisfy(p -> assertThat(p.path("cpu_seconds").asDouble()).isPositive());
        assertThat(report.path("capacity").path("frames_consumed").asLong()).isPositive();
        return new Scenario(name, report, recovery, report.path("settings").path("deployment").asText(), cluster.state().bootstrap());
    }

    /** {@code lfr job submit} or {@code resume}, with the replay's alert gap and metrics window; returns the job id. */
    private String launch(String command, String... args) {
        LfrCommandLineTest.Run r = LfrCommandLineTest.lfr(concat(new String[] {"job", command, "--cluster", cluster.dir().toString()}, args,
                new String[] {"--", "--alert.gap", "3s", "--metrics.window", "10s"}));
        assertThat(r.code()).as(r.err()).isZero();
        return r.out().strip();
    }

    private static String[] concat(String[]... parts) {
        return java.util.Arrays.stream(parts).flatMap(java.util.Arrays::stream).toArray(String[]::new);
    }
}
