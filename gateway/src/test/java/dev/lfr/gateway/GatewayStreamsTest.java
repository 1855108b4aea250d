package dev.lfr.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lfr.schemas.AvroBytes;
import dev.lfr.schemas.FrameEvent;
import dev.lfr.testkit.LocalKafka;
import dev.lfr.topics.KafkaClients;
import dev.lfr.topics.Topics;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real streams made on this machine by ffmpeg, read by the gateway into a real broker: MJPEG over HTTP, H.264 in
 * MPEG-TS over UDP, H.264 published over RTSP; beside them a stream of garbage and a camera that refuses connections.
 */
class GatewayStreamsTest {
    static final String SECRET = "s3cret-camera-pw";

    @BeforeAll
    static void ffmpeg() {
        FfmpegCamera.assumeInstalled();
    }

    @Test
    void camerasOfThreeKindsStreamSampledScaledFramesAndOneBadCameraNeverHoldsUpTheOthers(@TempDir Path dir) throws Exception {
        int http = FfmpegCamera.freePort();
        int udp = FfmpegCamera.freePort();
        int rtsp = FfmpegCamera.freePort();
        int junk = FfmpegCamera.freePort();
        Path config = dir.resolve("gateway.yaml");
        Files.writeString(config, String.format("""
                stall_timeout_s: 3
                backoff_max_s: 2
                cameras:
                  - {id: cam-http, url: 'http://127.0.0.1:%d/cam.mjpg', fps: 5, max_width: 320, max_height: 320}
                  - {id: cam-udp, url: 'udp://127.0.0.1:%d', fps: 5, max_width: 320, max_height: 320}
                  - {id: cam-rtsp, url: 'rtsp://127.0.0.1:%d/live', fps: 5, max_width: 320, max_height: 320,
                     options: {rtsp_flags: listen}}
                  - {id: cam-junk, url: 'udp://127.0.0.1:%d', fps: 5}
                  - {id: cam-locked, url: 'http://127.0.0.1:1/locked.mjpg', username: admin, password_env: CAM_PW}
                """, http, udp, rtsp, junk));
        long start = System.currentTimeMillis();
        try (LocalKafka kafka = new LocalKafka();
             FfmpegCamera httpCam = FfmpegCamera.mjpegServer(FfmpegCamera.testPattern(), "http://127.0.0.1:" + http + "/cam.mjpg").start();
             FfmpegCamera udpCam = FfmpegCamera.h264Udp(FfmpegCamera.testPattern(), false, "udp://127.0.0.1:" + udp).start();
             FfmpegCamera rtspCam = FfmpegCamera.h264RtspPublisher(FfmpegCamera.testPattern(), "rtsp://127.0.0.1:" + rtsp + "/live");
             Garbage garbage = new Garbage(junk)) {
            kafka.createTopics(Topics.FRAMES);
            Gateway gateway = new Gateway(GatewayConfig.read(config), KafkaClients.producer(kafka.bootstrap()), Topics.FRAMES, "127.0.0.1", 0,
                    Map.of("CAM_PW", SECRET)::get);
            try {
                Map<String, CameraHealth> h = gateway.health().stream().collect(Collectors.toMap(CameraHealth::camera, c -> c));
                // the gateway listens for the RTSP publisher: start it (again) until it gets through
                await(Duration.ofSeconds(30), () -> {
                    if (!rtspCam.alive() && h.get("cam-rtsp").sent() == 0) {
                        try {
                            rtspCam.start();
                        } catch (java.io.IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    }
                    return h.get("cam-rtsp").sent() >= 15 && h.get("cam-http").sent() >= 15 && h.get("cam-udp").sent() >= 15;
                });
                // the bad cameras fail and retry without end; an attempt on garbage lasts until FFmpeg has probed its
                // probe size (5 MB, about 20 s of this garbage) and found no stream in it
                await(Duration.ofSeconds(60), () -> h.get("cam-junk").errors() > 0 && h.get("cam-junk").reconnects() > 0
                        && h.get("cam-locked").errors() > 0 && h.get("cam-locked").reconnects() > 0);
                assertThat(h.get("cam-junk").sent()).isZero();
                assertThat(String.join("\n", gateway.statusLines())).contains("cam-locked").doesNotContain(SECRET);

                List<FrameEvent> frames = kafka.readAll(Topics.FRAMES).stream().map(r -> AvroBytes.decode(r.value(), FrameEvent.class)).toList();
                long now = System.currentTimeMillis();
                for (String cam : List.of("cam-http", "cam-udp", "cam-rtsp")) {
                    List<FrameEvent> of = frames.stream().filter(f -> f.getCamera().equals(cam)).toList();
                    assertThat(of).as(cam).hasSizeGreaterThanOrEqualTo(15);
                    BufferedImage img = ImageIO.read(new ByteArrayInputStream(bytes(of.get(of.size() - 1).getImage())));
                    assertThat(img.getWidth()).as(cam).isEqualTo(320); // 640x360 scaled to fit 320x320, aspect kept
                    assertThat(img.getHeight()).as(cam).isEqualTo(180);
                    assertThat(of.get(0).getWidth()).isEqualTo(320);
                    for (int i = 1; i < of.size(); i++) {
                        assertThat(of.get(i).getSequence()).isGreaterThan(of.get(i - 1).getSequence());
                        assertThat(of.get(i).getCaptureTime()).isAfterOrEqualTo(of.get(i - 1).getCaptureTime());
                    }
                    assertThat(of.get(0).getCaptureTime().toEpochMilli()).isGreaterThanOrEqualTo(start);
                    assertThat(of.get(of.size() - 1).getCaptureTime().toEpochMilli()).isLessThanOrEqualTo(now);
                    double seconds = (of.get(of.size() - 1).getCaptureTime().toEpochMilli() - of.get(0).getCaptureTime().toEpochMilli()) / 1000.0;
                    assertThat((of.size() - 1) / seconds).as(cam + " frames per second").isBetween(4.0, 6.0); // 5 of 25
                }

                String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                        + gateway.metricsPort() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
                assertThat(metrics).contains("lfr_gateway_frames_sent_total{camera=\"cam-http\"}")
                        .contains("lfr_gateway_streaming{camera=\"cam-udp\"} 1").contains("lfr_gateway_reconnects_total{camera=\"cam-locked\"}")
                        .doesNotContain(SECRET);
                assertThat(HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.metricsPort()
                        + "/-/healthy")).build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200); // the liveness probe

                // the HTTP camera loses power: the others go on; when it is back the gateway reconnects by itself
                long udpBefore = h.get("cam-udp").sent();
                httpCam.kill();
                await(Duration.ofSeconds(30), () -> h.get("cam-http").reconnects() >= 1);
                long httpBefore = h.get("cam-http").sent();
                httpCam.start();
                await(Duration.ofSeconds(30), () -> h.get("cam-http").sent() >= httpBefore + 10);
                assertThat(h.get("cam-udp").sent()).isGreaterThan(udpBefore + 10);

                // a UDP encoder that stops sending: no end of stream arrives, only silence; the stall timeout ends the read
                udpCam.kill();
                await(Duration.ofSeconds(10), () -> h.get("cam-udp").reconnects() >= 1);
                long udpAfter = h.get("cam-udp").sent();
                udpCam.start();
                await(Duration.ofSeconds(30), () -> h.get("cam-udp").sent() >= udpAfter + 10);

                // the broker goes away: cameras go on decoding, each queue keeps its newest frames and counts the rest
                kafka.close();
                long decoded = h.get("cam-http").decoded();
                long dropped = h.get("cam-http").dropped();
                await(Duration.ofSeconds(30), () -> h.get("cam-http").dropped() >= dropped + 10);
                assertThat(h.get("cam-http").decoded()).isGreaterThan(decoded + 100); // 25 fps in, never held up
                assertThat(h.get("cam-http").state()).isEqualTo(CameraHealth.State.STREAMING);
            } finally {
                long closing = System.nanoTime();
                gateway.close();
                assertThat(Duration.ofNanos(System.nanoTime() - closing)).isLessThan(Duration.ofSeconds(30)); // even without a broker
            }
            assertThat(gateway.health()).allSatisfy(c -> assertThat(c.state()).isEqualTo(CameraHealth.State.STOPPED));
        }
    }

    static void await(Duration timeout, BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + timeout.toSeconds() + " s");
            }
            Thread.sleep(200);
        }
    }

    static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    /** Random datagrams at a camera's port: what a misconfigured encoder or an attacker might send. */
    static final class Garbage implements AutoCloseable {
        private final DatagramSocket socket;
        private final Thread thread;
        private volatile boolean running = true;

        Garbage(int port) throws Exception {
            socket = new DatagramSocket();
            Random r = new Random(7);
            InetAddress local = InetAddress.getLoopbackAddress();
            thread = new Thread(() -> {
                byte[] junk = new byte[1316];
                while (running) {
                    r.nextBytes(junk);
                    try {
                        socket.send(new DatagramPacket(junk, junk.length, local, port));
                        Thread.sleep(5);
                    } catch (Exception e) {
                        return;
                    }
                }
            }, "garbage");
            thread.setDaemon(true);
            thread.start();
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            thread.join(2_000);
            socket.close();
        }
    }
}
