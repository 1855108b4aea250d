package dev.lfr.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lfr.testkit.LocalKafka;
import dev.lfr.topics.KafkaClients;
import dev.lfr.topics.Topics;
import dev.lfr.udfs.model.ModelStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The motion gate at the camera: a still scene is sent only every {@code send_every}-th sampled frame. */
class GatewayMotionGateTest {
    @BeforeAll
    static void ffmpeg() {
        FfmpegCamera.assumeInstalled();
    }

    @Test
    void aStillCameraSendsOneFrameInTenWhileAMovingOneSendsEveryFrame(@TempDir Path dir) throws Exception {
        String photo = ModelStore.ensureDefault().samples().get(0).toString();
        int still = FfmpegCamera.freePort();
        int moving = FfmpegCamera.freePort();
        int ungated = FfmpegCamera.freePort();
        Path config = dir.resolve("gateway.yaml");
        Files.writeString(config, String.format("""
                cameras:
                  - {id: cam-still, url: 'http://127.0.0.1:%d/cam.mjpg', fps: 5}
                  - {id: cam-moving, url: 'http://127.0.0.1:%d/cam.mjpg', fps: 5}
                  - {id: cam-ungated, url: 'http://127.0.0.1:%d/cam.mjpg', fps: 5, motion_gate: {enabled: false}}
                """, still, moving, ungated));
        try (LocalKafka kafka = new LocalKafka();
             FfmpegCamera stillCam = FfmpegCamera.mjpegServer(FfmpegCamera.stillImage(photo),
                     "http://127.0.0.1:" + still + "/cam.mjpg").start();
             FfmpegCamera movingCam = FfmpegCamera.mjpegServer(FfmpegCamera.testPattern(),
                     "http://127.0.0.1:" + moving + "/cam.mjpg").start();
             FfmpegCamera ungatedCam = FfmpegCamera.mjpegServer(FfmpegCamera.stillImage(photo),
                     "http://127.0.0.1:" + ungated + "/cam.mjpg").start()) {
            kafka.createTopics(Topics.FRAMES);
            try (Gateway gateway = new Gateway(GatewayConfig.read(config), KafkaClients.producer(kafka.bootstrap()),
                    Topics.FRAMES, "127.0.0.1", 0, Map.<String, String>of()::get)) {
                Map<String, CameraHealth> h = gateway.health().stream()
                        .collect(Collectors.toMap(CameraHealth::camera, c -> c));
                GatewayStreamsTest.await(Duration.ofSeconds(60), () -> h.get("cam-still").still() >= 36
                        && h.get("cam-moving").sent() >= 40 && h.get("cam-ungated").sent() >= 40);

                CameraHealth s = h.get("cam-still");
                // the first frame, then every tenth: nine of ten sampled frames held back once it runs
                assertThat(s.sent()).isPositive();
                assertThat(s.still()).isGreaterThanOrEqualTo(6 * s.sent());
                assertThat(h.get("cam-moving").still()).isLessThanOrEqualTo(h.get("cam-moving").sent() / 10);
                assertThat(h.get("cam-ungated").still()).isZero();
            }
        }
    }

    @Test
    void aBadMotionGateSettingIsRefusedInOneLine(@TempDir Path dir) throws Exception {
        Path config = dir.resolve("gateway.yaml");
        Files.writeString(config, """
                cameras:
                  - {id: cam-1, url: 'rtsp://10.0.0.5/live', motion_gate: {send_every: 0}}
                """);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> GatewayConfig.read(config))
                .isInstanceOf(GatewayException.class)
                .hasMessage("camera cam-1: motion_gate: send_every is 1 to 300 frames, not 0");
        // a NaN is refused by the YAML reader itself ("Malformed numeric value"), also in one line
        for (String bad : new String[] {"{send_every: 100000}", "{changed_fraction: .nan}", "{changed_fraction: 1.5}"}) {
            Files.writeString(config, "cameras:\n  - {id: cam-1, url: 'rtsp://10.0.0.5/live', motion_gate: " + bad + "}\n");
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> GatewayConfig.read(config)).as(bad)
                    .isInstanceOf(GatewayException.class)
                    .hasMessageNotContaining("\n")
                    .satisfies(e -> assertThat(e.getMessage()).containsAnyOf("motion_gate: ", "'.nan'"));
        }
    }
}
