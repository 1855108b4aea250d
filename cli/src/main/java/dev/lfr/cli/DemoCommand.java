package dev.lfr.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import dev.lfr.console.ConsoleServer;
import dev.lfr.console.access.ConsoleUsers;
import dev.lfr.console.access.Role;
import dev.lfr.governance.policy.GovernancePolicy;
import dev.lfr.governance.watchlist.ReferenceImages;
import dev.lfr.loadtest.replay.ReplayReport;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The whole stack on one machine, as a short replay: a Kafka broker in-process (or {@code --bootstrap}), the live
 * matching job on a Flink MiniCluster, a watchlist enrolled from half of the faces in the sample photos (or a
 * gallery), and walk-past scenes of every face (enrolled or not) as several cameras. Alerts print as they arrive,
 * and appear in the officer console, where a demo officer can review them; the JSON summary, scored against the
 * replay's ground truth, is printed when the replay ends, and the console stays open for the officer's verdicts.
 */
@Command(name = "demo", description = {
        "Run the whole stack on this machine, print alerts as they arrive and review them in the officer console.",
        "Kafka (in-process) + the job on Flink (MiniCluster), a watchlist from half the faces of the sample photos (or",
        "--gallery DIR/<identity>/<images>), walk-past frames as N cameras; then a JSON line: frames, faces, alerts,",
        "true_alerts, false_alerts, missed, p50_ms, p99_ms. The console (URL and logins printed at the start) stays",
        "open after the replay until Ctrl-C. The replay's report goes to --out (default demo-report)."})
final class DemoCommand extends LfrCommand implements java.util.concurrent.Callable<Integer> {
    @picocli.CommandLine.Mixin
    ReplayOptions options = new ReplayOptions(1, Path.of("demo-report"));

    @Option(names = "--console-port", paramLabel = "P", description = "the console's port (default ${DEFAULT-VALUE}; a free one if taken)")
    int consolePort = 8080;

    @Option(names = "--console-for", paramLabel = "DURATION", converter = Governed.DurationArg.class, description = {
            "how long the console stays open after the replay (default: until Ctrl-C in a terminal, else not at all)"})
    Duration consoleFor;

    @Option(names = "--no-console", description = "do not start the officer console")
    boolean noConsole;

    /** The demo's one-line outcome. */
    record Summary(long frames, long faces, int alerts, int trueAlerts, int falseAlerts, int missed, Long p50Ms, Long p99Ms) {}

    @Override
    public Integer call() throws Exception {
        ReplayOptions o = options;
        o.check();
        if (o.video != null || o.images != null) {
            throw new UserError("the demo replays walk-pasts it can score; use ./lfr replay for --video or --images");
        }
        if (consolePort < 0 || consolePort > 65535) {
            throw new UserError("--console-port is between 0 and 65535, not " + consolePort);
        }
        java.nio.file.Files.createDirectories(o.out);
        boolean[] printed = {false};
        ConsoleServer[] console = {null};
        try {
            ReplayReport report = ReplayCommand.run(o, out(), o.out, false, new ReplayCommand.Hooks() {
                @Override
                public void started(String bootstrap, String deployment) throws Exception {
                    if (!noConsole) {
                        console[0] = openConsole(bootstrap, new ReferenceImages(o.out.resolve(dev.lfr.loadtest.replay.Replay.REFERENCE_IMAGES)));
                    }
                }

                @Override
                public void finished(ReplayReport report) throws Exception {
                    Duration hold = consoleFor != null ? consoleFor : System.console() != null ? null : Duration.ZERO;
                    if (console[0] != null && (hold == null || !hold.isZero())) {
                        out().println("the console stays open at " + console[0].url() + (hold == null ? " until Ctrl-C" : " for " + hold));
                    }
                    summary(report);
                    printed[0] = true;
                    if (console[0] != null) {
                        holdOpen(hold);
                    }
                }
            });
            if (!printed[0]) {
                summary(report);
            }
        } finally {
            if (console[0] != null) {
                console[0].close();
            }
        }
        return 0;
    }

    private void summary(ReplayReport report) throws Exception {
        ReplayReport.GroundTruth gt = report.groundTruth();
        out().println(new ObjectMapper().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE).writeValueAsString(
                new Summary(report.throughput().frames(), gt.faces(), gt.alerts(), gt.trueAlerts(), gt.falseAlerts(),
                        gt.missedWalkPasts(), report.latency().p50Ms(), report.latency().p99Ms())));
        out().flush();
    }

    /** A console on the demo's broker for a demo officer and supervisor, with passwords made for this run. */
    private ConsoleServer openConsole(String bootstrap, ReferenceImages references) throws Exception {
        String officer = password();
        String supervisor = password();
        ConsoleUsers users = ConsoleUsers.of(List.of(
                new ConsoleUsers.User("demo-officer", Role.OFFICER, ConsoleUsers.hash(officer), List.of(ConsoleUsers.ALL)),
                new ConsoleUsers.User("demo-supervisor", Role.SUPERVISOR, ConsoleUsers.hash(supervisor), List.of(ConsoleUsers.ALL))));
        ConsoleServer server;
        try {
            server = ConsoleServer.start(ConsoleServer.Settings.local(consolePort), bootstrap, GovernancePolicy.defaults(), references, users);
        } catch (io.javalin.util.JavalinBindException e) {
            server = ConsoleServer.start(ConsoleServer.Settings.local(0), bootstrap, GovernancePolicy.defaults(), references, users);
        }
        out().println("officer console: " + server.url());
        out().println("  log in as demo-officer / " + officer + "  (or demo-supervisor / " + supervisor + ")");
        out().flush();
        return server;
    }

    private static void holdOpen(Duration hold) {
        try {
            if (hold == null) {
                new CountDownLatch(1).await(); // until Ctrl-C
            } else {
                Thread.sleep(hold.toMillis());
            }
        } catch (InterruptedException e) {
            // closed early: the demo ends normally
        }
    }

    private static String password() {
        String alphabet = "abcdefghjkmnpqrstuvwxyz23456789";
        SecureRandom r = new SecureRandom();
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 12; i++) {
            b.append(alphabet.charAt(r.nextInt(alphabet.length())));
        }
        return b.toString();
    }
}
