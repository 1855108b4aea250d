package dev.lfr.loadtest.bench;

import dev.lfr.gateway.CameraHealth;
import dev.lfr.gateway.Gateway;
import dev.lfr.gateway.GatewayConfig;
import dev.lfr.testkit.LocalKafka;
import dev.lfr.topics.KafkaClients;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * The gateway's cost per camera: N copies of a real H.264 clip streamed by ffmpeg (stream copy, so the load generator
 * costs almost nothing) as MPEG-TS over UDP, read by one gateway in this process into an in-process broker. Reports the
 * CPU the gateway's own threads used (its camera readers, FFmpeg's decoder threads, the sender and the producer's
 * network thread; read from /proc, so native threads count), the frames it decoded and sent, the latency from a frame's
 * capture time to the broker's acknowledgement, and how long a camera took to be noticed as stopped and to come back
 * after its stream was restarted.
 */
public final class GatewayBenchmark {
    /** One run. */
    public record Result(String clip, Transport transport, boolean decodeAllFrames, boolean motionGate, int cameras, double fps,
                         int seconds, double decodedFpsPerCamera, double sentFpsPerCamera, double stillFpsPerCamera,
                         long dropped, long errors,
                         double gatewayCpuCores, double camerasPerCore, double framesPerCore, long latencyP50Ms, long latencyP99Ms,
                         long latencyMaxMs, double loadGeneratorCpuCores, long stallDetectedMs, long backAfterRestartMs,
                         List<String> threadsCounted) {}

    private static final String FFMPEG = "/usr/bin/ffmpeg";
    private static final String TOPIC = "bench.frames";
    /** The unit of /proc's CPU times on Linux. */
    private static final double USER_HZ = 100.0;

    private GatewayBenchmark() {}

    /** How the clip reaches the gateway: MPEG-TS pushed over UDP, or served over TCP (lossless) for the gateway to pull. */
    public enum Transport { UDP, TCP }

    /**
     * @param decodeAllFrames decode B-frames too (the gateway's default skips them)
     * @param motionGate      hold back frames of a still scene (the gateway's default)
     */
    public static Result run(Path clip, int cameras, double fps, int seconds, int jpegQuality, Transport transport,
                             boolean decodeAllFrames, boolean motionGate) throws Exception {
        if (!Files.isExecutable(Path.of(FFMPEG))) {
            throw new IllegalArgumentException("no " + FFMPEG + ": run scripts/bootstrap.sh (apt-get install ffmpeg)");
        }
        if (!Files.isRegularFile(clip)) {
            throw new IllegalArgumentException("no clip " + clip);
        }
        List<Integer> ports = new ArrayList<>();
        StringBuilder yaml = new StringBuilder("stall_timeout_s: 3\nbackoff_max_s: 2\ncameras:\n");
        for (int i = 0; i < cameras; i++) {
            ports.add(freePort());
            yaml.append(String.format(java.util.Locale.ROOT, "  - {id: bench-%d, url: '%s://127.0.0.1:%d', fps: %s, jpeg_quality: %d, decode_all_frames: %s,"
                    + " motion_gate: {enabled: %s}}%n", i, transport.name().toLowerCase(java.util.Locale.ROOT), ports.get(i), fps,
                    jpegQuality, decodeAllFrames, motionGate));
        }
        Path config = Files.createTempFile("lfr-gateway-bench", ".yaml");
        Files.writeString(config, yaml);
        List<Process> streams = new ArrayList<>();
        try (LocalKafka kafka = new LocalKafka()) {
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrap()))) {
                admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1).configs(Map.of(
                        "max.message.bytes", String.valueOf(8 << 20))))).all().get();
            }
            for (int port : ports) {
                streams.add(stream(clip, port, transport));
            }
            Gateway gateway = new Gateway(GatewayConfig.read(config), KafkaClients.producer(kafka.bootstrap()), TOPIC, "127.0.0.1", 0,
                    System::getenv);
            try {
                Thread.sleep(6_000); // streams found, decoders and the JIT warm
                long[] sentBefore = gateway.health().stream().mapToLong(CameraHealth::sent).toArray();
                long decodedBefore = gateway.health().stream().mapToLong(CameraHealth::decoded).sum();
                long stillBefore = gateway.health().stream().mapToLong(CameraHealth::still).sum();
                long droppedBefore = gateway.health().stream().mapToLong(CameraHealth::dropped).sum();
                long errorsBefore = gateway.health().stream().mapToLong(CameraHealth::errors).sum();
                List<String> counted = new ArrayList<>();
                long cpuBefore = gatewayCpuTicks(counted);
                long genBefore = processTicks(streams);
                long t0 = System.nanoTime();
                long fromMs = System.currentTimeMillis();
                Thread.sleep(seconds * 1000L);
                double wall = (System.nanoTime() - t0) / 1e9;
                long cpu = gatewayCpuTicks(new ArrayList<>()) - cpuBefore;
                long gen = processTicks(streams) - genBefore;
                long sent = 0;
                for (int i = 0; i < cameras; i++) {
                    sent += gateway.health().get(i).sent() - sentBefore[i];
                }
                long decoded = gateway.health().stream().mapToLong(CameraHealth::decoded).sum() - decodedBefore;
                long still = gateway.health().stream().mapToLong(CameraHealth::still).sum() - stillBefore;
                long dropped = gateway.health().stream().mapToLong(CameraHealth::dropped).sum() - droppedBefore;
                long errors = gateway.health().stream().mapToLong(CameraHealth::errors).sum() - errorsBefore;
                long[] latency = gateway.health().stream().flatMapToLong(c -> java.util.Arrays.stream(c.latenciesSince(fromMs)))
                        .sorted().toArray();
                double hz = USER_HZ;
                double cores = cpu / hz / wall;
                long[] reconnect = reconnect(gateway.health().get(0), streams, 0, clip, ports.get(0), transport);
                return new Result(clip.getFileName().toString(), transport, decodeAllFrames, motionGate, cameras, fps, seconds,
                        round(decoded / wall / cameras), round(sent / wall / cameras), round(still / wall / cameras), dropped, errors, round(cores),
                        round(cameras / cores), round(sent / wall / cores), percentile(latency, 0.5), percentile(latency, 0.99),
                        latency.length == 0 ? -1 : latency[latency.length - 1], round(gen / hz / wall), reconnect[0], reconnect[1],
                        counted.stream().distinct().sorted().toList());
            } finally {
                gateway.close();
            }
        } finally {
            for (Process p : streams) {
                p.destroyForcibly();
            }
            Files.deleteIfExists(config);
        }
    }

    /** Stops camera {@code i}'s stream until the gateway notices, then restarts it; [noticed after, back after restart] in ms. */
    private static long[] reconnect(CameraHealth camera, List<Process> streams, int i, Path clip, int port, Transport transport)
            throws Exception {
        streams.get(i).destroyForcibly();
        streams.get(i).waitFor(5, TimeUnit.SECONDS);
        long stopped = System.nanoTime();
        while (camera.state() == CameraHealth.State.STREAMING && System.nanoTime() - stopped < 30_000_000_000L) {
            Thread.sleep(20);
        }
        long noticed = (System.nanoTime() - stopped) / 1_000_000;
        long decoded = camera.decoded();
        streams.set(i, stream(clip, port, transport));
        long restarted = System.nanoTime();
        while (camera.decoded() == decoded && System.nanoTime() - restarted < 60_000_000_000L) {
            Thread.sleep(20);
        }
        return new long[] {noticed, (System.nanoTime() - restarted) / 1_000_000};
    }

    private static Process stream(Path clip, int port, Transport transport) throws IOException {
        String to = transport == Transport.UDP ? "udp://127.0.0.1:" + port + "?pkt_size=1316" : "tcp://127.0.0.1:" + port + "?listen=1";
        return new ProcessBuilder(FFMPEG, "-hide_banner", "-loglevel", "error", "-nostdin", "-re", "-stream_loop", "-1", "-i", clip.toString(),
                "-an", "-c:v", "copy", "-f", "mpegts", to).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    }

    /**
     * CPU ticks of this process's threads that do the gateway's work: its Java threads (camera readers, the sender, the
     * producer's network thread) and FFmpeg's decoder threads ("av:..."), which the JVM cannot see.
     */
    private static long gatewayCpuTicks(List<String> counted) throws IOException {
        long ticks = 0;
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path t : tasks.toList()) {
                try {
                    String comm = Files.readString(t.resolve("comm")).strip();
                    if (comm.startsWith("camera-") || comm.startsWith("frame-sender") || comm.startsWith("kafka-producer")
                            || comm.startsWith("av:")) {
                        ticks += ticks(Files.readString(t.resolve("stat")));
                        counted.add(comm.replaceAll("\\d+$", "N"));
                    }
                } catch (IOException e) {
                    // the thread ended meanwhile
                }
            }
        }
        return ticks;
    }

    private static long processTicks(List<Process> processes) {
        long ticks = 0;
        for (Process p : processes) {
            try {
                ticks += ticks(Files.readString(Path.of("/proc", Long.toString(p.pid()), "stat")));
            } catch (IOException e) {
                // exited
            }
        }
        return ticks;
    }

    /** utime + stime of a /proc stat line (fields 14 and 15, after the parenthesised name). */
    private static long ticks(String stat) {
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    private static long percentile(long[] sorted, double q) {
        return sorted.length == 0 ? -1 : sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)];
    }

    private static double round(double x) {
        return Math.round(x * 100) / 100.0;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

}
