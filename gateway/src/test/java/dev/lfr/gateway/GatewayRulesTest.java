package dev.lfr.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Sampling, capture times, backoff and the config's rules, without a stream. */
class GatewayRulesTest {
    @Test
    void samplingKeepsFramesEvenlyAtTheTargetRate() {
        assertThat(kept(new FrameSampler(5), 25, 250)).hasSize(50).allSatisfy(i -> assertThat(i % 5).isZero()); // every 5th
        List<Integer> from30 = kept(new FrameSampler(5), 30, 300); // 10 s of 30 fps
        assertThat(from30).hasSize(50);
        for (int i = 1; i < from30.size(); i++) {
            assertThat(from30.get(i) - from30.get(i - 1)).isEqualTo(6);
        }
        assertThat(kept(new FrameSampler(10), 5, 50)).hasSize(50); // a slower stream: every frame
        FrameSampler s = new FrameSampler(5);
        assertThat(s.keep(0)).isTrue();
        assertThat(s.keep(40_000)).isFalse();
        assertThat(s.keep(3_600_000_000L)).isTrue(); // the stream's clock jumped: start again
        assertThat(s.keep(3_600_040_000L)).isFalse();
        assertThatThrownBy(() -> new FrameSampler(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
    }

    private static List<Integer> kept(FrameSampler s, double streamFps, int frames) {
        List<Integer> kept = new ArrayList<>();
        for (int i = 0; i < frames; i++) {
            if (s.keep(Math.round(i * 1_000_000 / streamFps))) {
                kept.add(i);
            }
        }
        return kept;
    }

    @Test
    void captureTimesKeepTheStreamsSpacingAnchoredToArrivalAndNeverLieAboutTheFuture() {
        CaptureClock c = new CaptureClock(2_000);
        assertThat(c.captureMs(10_000_000, 1_000_000)).isEqualTo(1_000_000); // anchored at the first frame
        assertThat(c.captureMs(10_200_000, 1_000_900)).isEqualTo(1_000_200); // arrived late, in a burst: its own time
        assertThat(c.captureMs(10_400_000, 1_000_300)).isEqualTo(1_000_300); // never after its arrival
        assertThat(c.captureMs(99_000_000, 1_001_000)).isEqualTo(1_001_000); // the stream clock jumped: re-anchored
        assertThat(c.captureMs(99_200_000, 1_001_250)).isEqualTo(1_001_200);
        assertThat(c.captureMs(-1, 1_002_000)).isEqualTo(1_002_000); // no timestamp: arrival
    }

    @Test
    void backoffDoublesUpToItsCapWithJitterAndResets() {
        Backoff b = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(8));
        long[] waits = new long[6];
        for (int i = 0; i < waits.length; i++) {
            waits[i] = b.next().toMillis();
        }
        assertThat(waits[0]).isBetween(750L, 1250L);
        assertThat(waits[1]).isBetween(1500L, 2500L);
        assertThat(waits[2]).isBetween(3000L, 5000L);
        assertThat(waits[4]).isBetween(6000L, 8000L);
        assertThat(waits[5]).isLessThanOrEqualTo(8000L);
        b.reset();
        assertThat(b.next().toMillis()).isBetween(750L, 1250L);
    }

    @Test
    void theConfigRefusesWhatWouldLeakOrNeverWorkInOneLine(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("gateway.yaml");
        Files.writeString(f, """
                cameras:
                  - id: cam-1
                    url: rtsp://10.0.0.5:554/stream1
                    username: admin
                    password_env: CAM1_PASSWORD
                    options: {rtsp_transport: tcp}
                  - id: cam-2
                    url: http://10.0.0.6/video.mjpg
                    fps: 2
                """);
        GatewayConfig c = GatewayConfig.read(f);
        assertThat(c.cameras()).extracting(GatewayConfig.Camera::id).containsExactly("cam-1", "cam-2");
        assertThat(c.stallTimeout()).isEqualTo(Duration.ofSeconds(10));
        GatewayConfig.Camera cam1 = c.cameras().get(0);
        assertThat(cam1.openUrl(Map.of("CAM1_PASSWORD", "p@ss word")::get)).isEqualTo("rtsp://admin:p%40ss%20word@10.0.0.5:554/stream1");
        assertThat(cam1.url()).doesNotContain("p@ss");
        assertThatThrownBy(() -> cam1.openUrl(Map.<String, String>of()::get)).hasMessage(
                "camera cam-1: environment variable CAM1_PASSWORD is not set");

        assertRefused(f, "cameras: [{id: c, url: 'rtsp://admin:secret@10.0.0.5/s'}]", "put credentials in username");
        assertRefused(f, "cameras: [{id: c, url: 'ftp://10.0.0.5/s'}]", "url is rtsp://");
        assertRefused(f, "cameras: [{id: c, url: 'rtsp://h/s', fps: 0}]", "fps is above 0");
        assertRefused(f, "cameras: [{id: c, url: 'rtsp://h/s', fps: .nan}]", "gateway config"); // not a number at all
        assertRefused(f, "cameras: [{id: c, url: 'rtsp://h/s'}, {id: c, url: 'rtsp://h/t'}]", "listed twice");
        assertRefused(f, "cameras: [{id: 'c d', url: 'rtsp://h/s'}]", "a camera id is");
        assertRefused(f, "cameras: [{id: c, url: 'rtsp://h/s', username: u}]", "exactly one of password_env and password_file");
        assertRefused(f, "cameras: []", "lists no cameras");
        assertRefused(f, "stall_timeout_s: -1\ncameras: [{id: c, url: 'rtsp://h/s'}]", "stall_timeout_s is above 0");
        assertRefused(f, "cameras: [{id: c, url: 'rtsp://h/s', jpeg_quality: 101}]", "jpeg_quality is 1 to 100");
        assertRefused(f, "queue_frames: 100000\ncameras: [{id: c, url: 'rtsp://h/s'}]", "queue_frames is 1 to 250");
        assertRefused(f, "cameras: [{id: c, url: 'rtsp://h/s', colour: red}]", "gateway config");
        assertThatThrownBy(() -> GatewayConfig.read(dir.resolve("none.yaml"))).hasMessageStartingWith("no gateway config");
    }

    @Test
    void theKubernetesManifestRunsAConfigTheGatewayReadsAndScrapesItsMetricsPort(@TempDir Path dir) throws Exception {
        var yaml = new com.fasterxml.jackson.databind.ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory());
        List<com.fasterxml.jackson.databind.JsonNode> docs = new ArrayList<>();
        try (var p = new com.fasterxml.jackson.dataformat.yaml.YAMLFactory().createParser(Files.readString(Path.of("..", "k8s", "gateway.yaml")))) {
            yaml.readValues(p, com.fasterxml.jackson.databind.JsonNode.class).forEachRemaining(docs::add);
        }
        var configMap = docs.get(0);
        var deployment = docs.get(1);
        var monitor = docs.get(2);
        Path config = dir.resolve("gateway.yaml");
        Files.writeString(config, configMap.at("/data/gateway.yaml").asText());
        GatewayConfig c = GatewayConfig.read(config);
        var container = deployment.at("/spec/template/spec/containers/0");
        List<String> args = new ArrayList<>();
        container.path("args").forEach(a -> args.add(a.asText()));
        assertThat(args.get(args.indexOf("--config") + 1)).startsWith(container.at("/volumeMounts/0/mountPath").asText());
        assertThat(args.get(args.indexOf("--metrics-port") + 1)).isEqualTo(container.at("/ports/0/containerPort").asText());
        assertThat(monitor.at("/spec/podMetricsEndpoints/0/port").asText()).isEqualTo(container.at("/ports/0/name").asText());
        assertThat(deployment.at("/spec/replicas").asInt()).isEqualTo(1); // two would send every frame twice
        List<String> env = new ArrayList<>();
        container.path("env").forEach(e -> env.add(e.path("name").asText()));
        assertThat(c.cameras()).allSatisfy(cam -> assertThat(env).contains(cam.passwordEnv()));
    }

    private static void assertRefused(Path f, String yaml, String message) throws Exception {
        Files.writeString(f, yaml);
        assertThatThrownBy(() -> GatewayConfig.read(f)).isInstanceOf(GatewayException.class).hasMessageContaining(message)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void theExampleConfigReadsWithTheMotionGateOnByDefault() {
        GatewayConfig c = GatewayConfig.read(Path.of("..", "config", "gateway.yaml"));
        assertThat(c.cameras()).hasSize(3).allSatisfy(cam -> assertThat(cam.motionGate().enabled()).isTrue());
        assertThat(c.cameras().get(0).motionGate().fullPassEvery()).isEqualTo(10); // send_every
    }
}
