package dev.lfr.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lfr.loadtest.replay.Replay;
import dev.lfr.loadtest.replay.ReplayReport;
import dev.lfr.loadtest.replay.ReplaySession;
import dev.lfr.schemas.MatchAlert;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine.Command;

@Command(name = "replay", description = {
        "Replay camera frames into Kafka at a set rate and report throughput, latency and accuracy.",
        "N cameras at F fps for D seconds (or as fast as possible), from synthetic walk-past scenes of a gallery",
        "(default: the sample faces), a video, or a folder of images. Starts a local broker and the job unless told",
        "otherwise; writes the ground truth (never read by the job) to OUT/truth.jsonl and the report to",
        "OUT/report.json, report.md, latency_cdf.png, lag.png."})
final class ReplayCommand extends LfrCommand implements Callable<Integer> {
    @picocli.CommandLine.Mixin
    ReplayOptions options = new ReplayOptions();

    @Override
    public Integer call() throws Exception {
        ReplayOptions o = options;
        o.check();
        java.nio.file.Files.createDirectories(o.out);
        ReplayReport report = run(o, out(), o.out, true, Hooks.NONE);
        out().println(new ObjectMapper().writeValueAsString(summary(report)));
        out().println("wrote " + o.out.resolve("report.json") + ", report.md, latency_cdf.png, lag.png; ground truth "
                + o.out.resolve("truth.jsonl"));
        return 0;
    }

    /** Throughput, latency and (where scored) the ground truth, in one flat object. */
    static Map<String, Object> summary(ReplayReport report) {
        Map<String, Object> s = new LinkedHashMap<>(ReplayReport.fields(report.throughput()));
        s.putAll(ReplayReport.fields(report.latency()));
        if (report.groundTruth() != null) {
            s.putAll(ReplayReport.fields(report.groundTruth()));
        }
        return s;
    }

    /** What a caller does when the replay's broker is up, and once the replay is reported (the demo's console). */
    interface Hooks {
        Hooks NONE = new Hooks() {};

        default void started(String bootstrap, String deployment) throws Exception {}

        default void finished(ReplayReport report) throws Exception {}
    }

    /** Runs a replay with the options of {@code r} (also the demo's), printing alerts as they come. */
    static ReplayReport run(ReplayOptions r, java.io.PrintWriter out, Path outDir, boolean progress, Hooks hooks)
            throws Exception {
        Replay.Engine engine = r.engine.setup();
        ReplaySession.Plan plan = r.plan(engine);
        ProgressBar[] bar = new ProgressBar[1]; // opened at the first frame, after the stack's own lines
        try {
            return Replay.run(engine, r.scenes(), plan, r.modelBound, outDir, new ReplaySession.Listener() {
                @Override
                public void line(String text) {
                    out.println(text);
                    out.flush();
                }

                @Override
                public void alert(MatchAlert a, long latencyMs) {
                    out.printf(Locale.ROOT, "ALERT %s on %s score=%.3f after %d ms (id %s)%n", a.getSubject(),
                            a.getCameras(), a.getBestScore(), latencyMs, a.getAlertId());
                    out.flush();
                }

                @Override
                public void started(String bootstrap, String deployment) throws Exception {
                    hooks.started(bootstrap, deployment);
                }

                @Override
                public void finished(ReplayReport report) throws Exception {
                    hooks.finished(report);
                }

                @Override
                public void sent(long frames) {
                    if (progress && bar[0] == null) {
                        bar[0] = Progress.bar("replay", plan.framesPerCamera() * plan.cameras().size());
                    }
                    if (bar[0] != null) {
                        bar[0].stepTo(frames);
                    }
                }
            });
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage());
        } finally {
            if (bar[0] != null) {
                bar[0].close();
            }
        }
    }
}
