package dev.lfr.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import dev.lfr.loadtest.replay.ReplayReport;
import java.nio.file.Path;
import picocli.CommandLine.Command;

/**
 * The whole stack on one machine, as a short replay: a Kafka broker in-process (or {@code --bootstrap}), the live
 * matching job on a Flink MiniCluster, a watchlist enrolled from half of the faces in the sample photos (or a
 * gallery), and walk-past scenes of every face (enrolled or not) as several cameras. Alerts print as they arrive;
 * the last line is a JSON summary scored against the replay's ground truth. Takes every option of replay.
 */
@Command(name = "demo", description = {
        "Run the whole stack on this machine and print alerts as they arrive.",
        "Kafka (in-process) + the job on Flink (MiniCluster), a watchlist from half the faces of the sample photos (or",
        "--gallery DIR/<identity>/<images>), walk-past frames as N cameras; ends with JSON: frames, faces, alerts,",
        "true_alerts, false_alerts, missed, p50_ms, p99_ms. The replay's report goes to --out (default demo-report)."})
final class DemoCommand extends LfrCommand implements java.util.concurrent.Callable<Integer> {
    @picocli.CommandLine.Mixin
    ReplayOptions options = new ReplayOptions(1, Path.of("demo-report"));

    /** The demo's one-line outcome. */
    record Summary(long frames, long faces, int alerts, int trueAlerts, int falseAlerts, int missed, Long p50Ms, Long p99Ms) {}

    @Override
    public Integer call() throws Exception {
        ReplayOptions o = options;
        o.check();
        if (o.video != null || o.images != null) {
            throw new UserError("the demo replays walk-pasts it can score; use ./lfr replay for --video or --images");
        }
        java.nio.file.Files.createDirectories(o.out);
        ReplayReport report = ReplayCommand.run(o, out(), o.out, false);
        ReplayReport.GroundTruth gt = report.groundTruth();
        out().println(new ObjectMapper().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE).writeValueAsString(
                new Summary(report.throughput().frames(), gt.faces(), gt.alerts(), gt.trueAlerts(), gt.falseAlerts(),
                        gt.missedWalkPasts(), report.latency().p50Ms(), report.latency().p99Ms())));
        return 0;
    }
}
