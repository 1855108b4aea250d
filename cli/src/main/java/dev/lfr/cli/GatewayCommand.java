package dev.lfr.cli;

import dev.lfr.gateway.Gateway;
import dev.lfr.gateway.GatewayConfig;
import dev.lfr.gateway.GatewayStatus;
import dev.lfr.topics.KafkaClients;
import dev.lfr.topics.Topics;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "gateway", description = {"Read live camera streams (RTSP, MJPEG over HTTP, MPEG-TS over UDP/TCP, SRT) into the frames topic.",
        "Each camera is sampled to its fps, scaled, JPEG-encoded and keyed by its id; a camera that fails, ends or stalls is",
        "reopened with backoff. Health per camera on http://HOST:PORT/metrics (Prometheus) and a status line every",
        "--status-every. Stops cleanly on SIGTERM or Ctrl-C. Config: see config/gateway.yaml."},
        subcommands = {GatewayCommand.Status.class})
final class GatewayCommand extends LfrCommand implements Callable<Integer> {
    @Option(names = "--config", paramLabel = "FILE", description = "the cameras (YAML); required")
    Path config;

    @Option(names = "--bootstrap", paramLabel = "HOST:PORT", description = "Kafka bootstrap servers; required")
    String bootstrap;

    @Option(names = "--topic", paramLabel = "TOPIC", description = "where frames go (default ${DEFAULT-VALUE})")
    String topic = Topics.FRAMES;

    @Option(names = "--metrics-port", paramLabel = "P", description = "the metrics endpoint's port (default ${DEFAULT-VALUE}; 0: any)")
    int metricsPort = 9400;

    @Option(names = "--metrics-host", paramLabel = "ADDR", description = "where the metrics endpoint listens (default ${DEFAULT-VALUE})")
    String metricsHost = "0.0.0.0";

    @Option(names = "--status-every", paramLabel = "DURATION", converter = Governed.DurationArg.class,
            description = "print each camera's status this often (default 30s; 0s: never)")
    Duration statusEvery = Duration.ofSeconds(30);

    @Override
    public Integer call() throws Exception {
        if (config == null || bootstrap == null) {
            throw new UserError("gateway needs --config and --bootstrap (see: lfr gateway --help)");
        }
        if (metricsPort < 0 || metricsPort > 65535) {
            throw new UserError("--metrics-port is between 0 and 65535, not " + metricsPort);
        }
        GatewayConfig cameras = GatewayConfig.read(config);
        Gateway gateway;
        try {
            gateway = new Gateway(cameras, KafkaClients.producer(bootstrap), topic, metricsHost, metricsPort, System::getenv);
        } catch (java.net.BindException e) {
            throw new UserError("cannot listen on " + metricsHost + ":" + metricsPort + " (in use?): choose another --metrics-port");
        }
        Thread stop = new Thread(() -> {
            try {
                gateway.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "gateway-shutdown");
        Runtime.getRuntime().addShutdownHook(stop);
        out().printf(Locale.ROOT, "gateway: %d camera(s) -> %s on %s; metrics at http://%s:%d/metrics%n", cameras.cameras().size(),
                topic, bootstrap, metricsHost, gateway.metricsPort());
        out().flush();
        while (true) {
            Thread.sleep(statusEvery.isZero() ? Long.MAX_VALUE : statusEvery.toMillis());
            gateway.statusLines().forEach(out()::println);
            out().flush();
        }
    }

    @Command(name = "status", description = {"Each camera of a running gateway: streaming or not, frames decoded, sent and dropped,",
            "reconnects, errors and the age of its last frame (from its metrics endpoint)."})
    static final class Status extends LfrCommand implements Callable<Integer> {
        @Option(names = "--url", paramLabel = "URL", description = "the gateway's metrics endpoint (default ${DEFAULT-VALUE})")
        URI url = URI.create("http://127.0.0.1:9400/metrics");

        @Override
        public Integer call() {
            var cameras = GatewayStatus.fetch(url);
            out().printf(Locale.ROOT, "%-24s %-9s %10s %10s %10s %9s %10s %7s %s%n", "CAMERA", "STREAMING", "DECODED", "STILL",
                    "SENT", "DROPPED", "RECONNECTS", "ERRORS", "LAST_FRAME_AGE");
            for (GatewayStatus.Camera c : cameras) {
                out().printf(Locale.ROOT, "%-24s %-9s %10d %10d %10d %9d %10d %7d %s%n", c.camera(), c.streaming() ? "yes" : "NO",
                        c.decoded(), c.still(), c.sent(), c.dropped(), c.reconnects(), c.errors(), c.lastFrameAgeSeconds() < 0 ? "-"
                                : String.format(Locale.ROOT, "%.1fs", c.lastFrameAgeSeconds()));
            }
            return cameras.stream().allMatch(GatewayStatus.Camera::streaming) ? 0 : 3;
        }
    }
}
