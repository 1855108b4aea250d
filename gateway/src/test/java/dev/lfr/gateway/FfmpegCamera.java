package dev.lfr.gateway;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A camera made on this machine: Debian's ffmpeg (installed by scripts/bootstrap.sh) streaming a test pattern or a
 * clip, the way a camera or an encoder on the network would. Tests skip, saying why, where ffmpeg is not installed.
 */
final class FfmpegCamera implements AutoCloseable {
    static final String FFMPEG = "/usr/bin/ffmpeg";

    private final List<String> command;
    private Process process;

    private FfmpegCamera(List<String> command) {
        this.command = command;
    }

    static void assumeInstalled() {
        Assumptions.assumeTrue(new File(FFMPEG).canExecute(), "no /usr/bin/ffmpeg: run scripts/bootstrap.sh (apt-get install ffmpeg)");
    }

    /** A moving test pattern, 640x360 at 25 fps, in real time. */
    static List<String> testPattern() {
        return List.of("-re", "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25");
    }

    /** One photo, shown at 25 fps in real time: a camera watching a scene where nothing moves. */
    static List<String> stillImage(String file) {
        return List.of("-re", "-loop", "1", "-framerate", "25", "-i", file);
    }

    /** A clip, looped, in real time. */
    static List<String> clip(String file) {
        return List.of("-re", "-stream_loop", "-1", "-i", file);
    }

    /** Serves MJPEG over HTTP at {@code url} (one viewer at a time), like a simple IP camera. */
    static FfmpegCamera mjpegServer(List<String> input, String url) {
        return of(input, List.of("-an", "-c:v", "mjpeg", "-q:v", "6", "-f", "mpjpeg", "-listen", "1", url));
    }

    /** Sends H.264 in MPEG-TS over UDP to {@code url}, like an encoder pushing to a multicast group. */
    static FfmpegCamera h264Udp(List<String> input, boolean copy, String url) {
        List<String> codec = copy ? List.of("-an", "-c:v", "copy")
                : List.of("-an", "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-g", "25");
        List<String> out = new ArrayList<>(codec);
        out.addAll(List.of("-f", "mpegts", url + "?pkt_size=1316"));
        return of(input, out);
    }

    /** Publishes H.264 over RTSP to {@code url} (a gateway listening there). */
    static FfmpegCamera h264RtspPublisher(List<String> input, String url) {
        return of(input, List.of("-an", "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-g", "25",
                "-f", "rtsp", "-rtsp_transport", "tcp", url));
    }

    private static FfmpegCamera of(List<String> input, List<String> output) {
        List<String> c = new ArrayList<>(List.of(FFMPEG, "-hide_banner", "-loglevel", "error", "-nostdin"));
        c.addAll(input);
        c.addAll(output);
        return new FfmpegCamera(c);
    }

    FfmpegCamera start() throws IOException {
        process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        return this;
    }

    boolean alive() {
        return process != null && process.isAlive();
    }

    /** Kills it at once, as a camera losing power would go. */
    void kill() throws InterruptedException {
        if (process != null) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Override
    public void close() throws InterruptedException {
        kill();
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
