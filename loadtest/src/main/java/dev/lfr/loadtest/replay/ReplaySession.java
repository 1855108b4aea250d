package dev.lfr.loadtest.replay;

import dev.lfr.governance.report.DeploymentReport;
import dev.lfr.governance.report.ReportSources;
import dev.lfr.governance.report.ReportWriter;
import dev.lfr.jobs.LiveMatchJob;
import dev.lfr.jobs.SinkDelivery;
import dev.lfr.schemas.MatchAlert;
import dev.lfr.topics.KafkaClients;
import dev.lfr.topics.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.configuration.Configuration;
import org.apache.kafka.clients.producer.KafkaProducer;

/**
 * One replay, start to end: the broker and the job ({@link LocalStack}), frames sent as the plan's cameras while
 * alerts, consumer lag and (optionally) watchlist churn run beside them, the drain, the scoring against the ground
 * truth and the report. The command line only builds the plan and the frames and prints what the listener hears.
 */
public final class ReplaySession {
    /**
     * What to replay and against what.
     *
     * @param bootstrap an existing broker, or null to start one in-process
     * @param runJob    whether to run the job here (false: one already consumes the topics as {@code group})
     * @param group     the job's consumer group, or null for a fresh one
     * @param checkpointMs the local job's checkpoint interval
     * @param delivery  the local job's sink guarantees
     * @param prerender render every frame before the stack starts, so that the timed phase only sends bytes
     * @param processes the stack's processes whose CPU the report counts (a local cluster's), or none
     * @param jobSettings the local job's {@code LiveMatchOptions} by key (e.g. {@code detection.every}), over defaults
     */
    public record Plan(List<String> cameras, double fps, boolean maxRate, int durationS, int warmupS, int drainS,
                       String bootstrap, boolean runJob, String group, int parallelism, long checkpointMs,
                       SinkDelivery delivery, int watchlistUpdatesPerMinute, String embeddingModel, int dimension,
                       float threshold, boolean prerender, List<StackCpu.Process> processes,
                       Map<String, String> jobSettings) {
        public long framesPerCamera() {
            return (long) Math.ceil(fps * durationS);
        }
    }

    /** What a replay tells as it goes. */
    public interface Listener {
        void line(String text);

        void alert(MatchAlert alert, long latencyMs);

        /** Frames sent so far, all cameras together. */
        void sent(long frames);

        /** The broker is up and the replay's deployment active; no frame is sent yet. */
        default void started(String bootstrap, String deployment) throws Exception {}

        /**
         * The replay is scored and reported and its deployment ended; the broker and the job still run (verdicts
         * given now still reach the metrics) until this returns.
         */
        default void finished(ReplayReport report) throws Exception {}
    }

    private ReplaySession() {}

    /**
     * @param watchlist by subject id, enrolled before the frames flow
     * @param bound     measures what ONNX Runtime alone could do on this machine (before the replay and again once
     *                  the backlog is drained, the faster of the two kept), or null
     * @param source    what the frames show, for the report
     * @return the report, as written to {@code outDir/report.json}
     * @throws IllegalArgumentException when the job would refuse the replay's deployment
     */
    public static ReplayReport run(Plan plan, FrameSource frames, Map<String, LocalStack.Subject> watchlist,
                                   ModelOnlyBound.Measure measureBound, String source, Path outDir,
                                   Listener listener) throws Exception {
        ModelOnlyBound bound = measureBound == null ? null : measureBound.now();
        String group = plan.group() != null ? plan.group() : "lfr-replay-" + System.currentTimeMillis();
        LiveMatchJob.Config config = LiveMatchJob.Config.from(Configuration.fromMap(plan.jobSettings()))
                .withEmbeddingModel(plan.embeddingModel())
                .withAlertGap(Duration.ofSeconds(3)).withMetricsWindow(Duration.ofSeconds(10));
        FrameSource toSend = plan.prerender() ? prerender(plan, frames, outDir, listener) : frames;
        try (toSend; LocalStack stack = LocalStack.start(plan.bootstrap(), plan.runJob(), group, LocalStack.WATCHLIST,
                plan.embeddingModel(), watchlist, plan.cameras(), plan.threshold(),
                new LocalStack.LocalJob(config, plan.parallelism(), plan.checkpointMs(), plan.delivery()))) {
            listener.line("Kafka at " + stack.bootstrap() + " (in another terminal: ./lfr alerts tail --bootstrap "
                    + stack.bootstrap() + ")");
            listener.started(stack.bootstrap(), stack.deploymentId());
            try (AlertMonitor alerts = new AlertMonitor(stack.bootstrap(), Topics.ALERTS, Set.of(stack.deploymentId()),
                    listener::alert);
                 MetricsMonitor metrics = new MetricsMonitor(stack.bootstrap(), Topics.METRICS, Set.of(stack.deploymentId()));
                 DeadLetterMonitor deadLetters = new DeadLetterMonitor(stack.bootstrap(), Topics.DEAD_LETTERS,
                         Topics.FRAMES, Set.copyOf(plan.cameras()), KafkaClients.endOffsets(stack.bootstrap(), Topics.FRAMES));
                 LagMonitor lag = new LagMonitor(stack.bootstrap(), Topics.FRAMES, stack.jobGroup(), 500);
                 KafkaProducer<byte[], byte[]> producer = KafkaClients.producer(stack.bootstrap());
                 WatchlistChurn churn = new WatchlistChurn(producer, Topics.WATCHLIST, LocalStack.WATCHLIST,
                         plan.embeddingModel(), plan.dimension(), plan.watchlistUpdatesPerMinute())) {
                alerts.measureFrom(System.currentTimeMillis() + plan.warmupS() * 1000L);
                FrameReplayer.Settings s = new FrameReplayer.Settings(Topics.FRAMES, plan.cameras(),
                        plan.maxRate() ? 0 : plan.fps(), plan.framesPerCamera(), plan.fps());
                StackCpu cpu = StackCpu.start(plan.processes());
                FrameReplayer.Result sent = FrameReplayer.run(producer, toSend, s, outDir.resolve("truth.jsonl"),
                        listener::sent);
                long updatesSent = churn.sent(); // while the frames were sent
                drain(lag, plan.drainS());
                ReplayReport.Capacity capacity = plan.processes().isEmpty() ? null
                        : ReplayReport.Capacity.of(cpu.seconds(), sent.frames() - lastLag(lag.samples()), cpu.used());
                alerts.awaitQuiet(Duration.ofSeconds(4), Duration.ofSeconds(15)); // walk-pasts end, alerts complete
                // the last metric window is published once the deployment is quiet for two window lengths
                metrics.awaitFrames(sent.frames(), () -> deadLetters.refused().frames(),
                        Duration.ofSeconds(bound != null ? 60 : 20));
                ReplayReport.RefusedFrames refused = deadLetters.refused();
                if (refused.frames() > 0) {
                    listener.line("warning: the job refused " + refused.frames() + " of the " + sent.frames()
                            + " frames sent " + refused.byReason() + " (dead letters); the figures cover only the frames"
                            + " it used");
                }
                GroundTruthMatcher.Score score = sent.truth().isEmpty() ? null
                        : GroundTruthMatcher.score(sent.truth(), watchlist.keySet(), alerts.alerts(), 1_000);
                ReplayReport.Settings settings = new ReplayReport.Settings(source, plan.maxRate()
                        ? "sent as fast as possible with capture times advancing at --fps: the latency figures are not"
                        + " frame-to-alert latency" : null, plan.cameras().size(), plan.maxRate() ? null : plan.fps(),
                        plan.durationS(), plan.warmupS(), plan.watchlistUpdatesPerMinute(), updatesSent,
                        stack.deploymentId(), plan.embeddingModel(), plan.threshold());
                Integer restarts = stack.jobRestarts();
                if (restarts != null && restarts > 0) {
                    listener.line("warning: the local job restarted " + restarts + " time(s) during the replay, so its"
                            + " figures include recoveries (LFR_JAVA_OPTS=-Dorg.slf4j.simpleLogger.log.org.apache.flink=warn"
                            + " shows why)");
                }
                ReplayReport report = ReplayReport.write(outDir, settings, sent, score, alerts.latencyMs(), metrics,
                        refused, lag.samples(), capacity, restarts);
                if (bound != null) {
                    // a stall of another thread during either measurement would lower the bound: keep the faster
                    bound = bound.fasterOf(measureBound.now());
                    MetricsMonitor.Totals counted = metrics.totals();
                    double facesPerFrame = counted.frames() == 0 ? 0 : (double) counted.facesSearched() / counted.frames();
                    // a job from before frames_detected writes 0 there: faces detected say its detector ran
                    boolean uncounted = counted.frames() == 0 || counted.framesDetected() == 0 && counted.facesDetected() > 0;
                    double detectedShare = uncounted ? 1 : (double) counted.framesDetected() / counted.frames();
                    // only a backlog drained as fast as the job can shows its capacity; a paced run shows the pace
                    Double consumed = plan.maxRate() ? report.throughput().jobConsumedFpsAfterProduction() : null;
                    // with motion tiles the passes vary by frame: the job's count where it has one
                    Double passes = counted.detectorPasses() > 0 && counted.framesDetected() > 0
                            ? (double) counted.detectorPasses() / counted.framesDetected() : null;
                    report = report.withModelOnly(bound.describe(detectedShare, passes, facesPerFrame, consumed), outDir);
                }
                // the deployment ends with the replay; its post-deployment report is what a force would publish
                DeploymentReport published = ReportSources.read(stack.bootstrap(), stack.end());
                ReportWriter.write(published, outDir.resolve(DEPLOYMENT_REPORT));
                listener.line("post-deployment report: " + outDir.resolve(DEPLOYMENT_REPORT).resolve("report.md"));
                listener.finished(report);
                return report;
            }
        }
    }

    /** Renders every frame of the plan ahead (closing {@code frames} if that fails). */
    private static PrerenderedFrames prerender(Plan plan, FrameSource frames, Path outDir, Listener listener)
            throws Exception {
        long started = System.nanoTime();
        try {
            PrerenderedFrames rendered = PrerenderedFrames.render(frames, plan.cameras(), plan.framesPerCamera(),
                    outDir.resolve("frames.prerendered"), n -> { });
            listener.line(String.format(java.util.Locale.ROOT, "rendered %d frames ahead in %.1f s", rendered.size(),
                    (System.nanoTime() - started) / 1e9));
            return rendered;
        } catch (Exception e) {
            frames.close();
            throw e;
        }
    }

    /** The folder of {@code outDir} that holds the post-deployment report. */
    public static final String DEPLOYMENT_REPORT = "deployment";

    private static long lastLag(List<LagMonitor.Sample> samples) {
        return samples.isEmpty() ? 0 : Math.max(0, samples.get(samples.size() - 1).lag());
    }

    /** Waits until the job has consumed every frame sent, at most {@code seconds}. */
    private static void drain(LagMonitor lag, int seconds) throws InterruptedException {
        long deadline = System.currentTimeMillis() + seconds * 1000L;
        while (System.currentTimeMillis() < deadline) {
            List<LagMonitor.Sample> s = lag.samples();
            if (!s.isEmpty() && s.get(s.size() - 1).lag() == 0 && s.get(s.size() - 1).produced() > 0) {
                return;
            }
            Thread.sleep(250);
        }
    }
}
