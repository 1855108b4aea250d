package dev.lfr.gateway;

import dev.lfr.udfs.image.JpegCrops;
import dev.lfr.udfs.pipeline.MotionGate;
import java.time.Duration;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.OpenCVFrameConverter;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One camera's stream, on its own thread: opened through FFmpeg, sampled to the camera's rate, scaled to its maximum
 * size, JPEG-encoded and handed to the sender's queue. A stream that fails to open, ends, errs or stalls (no frame for
 * the stall timeout) is closed and reopened after a capped, jittered backoff; nothing one camera does reaches another.
 */
final class CameraReader implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(CameraReader.class);

    static {
        // FFmpeg's own lines go to stderr unformatted and can name what it opened; the reader reports failures itself
        avutil.av_log_set_level(avutil.AV_LOG_FATAL);
    }

    private final int index;
    private final GatewayConfig.Camera camera;
    private final CameraHealth health;
    private final FrameQueues queues;
    private final Duration stall;
    private final Backoff backoff;
    private final Function<String, String> env;
    private final LongSupplier clock;
    private volatile boolean running = true;
    private long sequence;
    /** Still scenes are not sent; the thumbnails stay in this reader (the job's gate does the same again). */
    private final MotionGate motion;
    private final Mat small = new Mat();
    private final Mat grey = new Mat();
    private final Size thumbnailSize = new Size(MotionGate.WIDTH, MotionGate.HEIGHT);

    CameraReader(int index, GatewayConfig.Camera camera, CameraHealth health, FrameQueues queues, GatewayConfig config,
                 Function<String, String> env, LongSupplier clock) {
        this.index = index;
        this.camera = camera;
        this.health = health;
        this.queues = queues;
        this.stall = config.stallTimeout();
        this.backoff = new Backoff(Duration.ofSeconds(1), config.backoffMax());
        this.env = env;
        this.clock = clock;
        this.motion = new MotionGate(camera.motionGate());
    }

    void stop() {
        running = false;
    }

    @Override
    public void run() {
        boolean first = true;
        while (running) {
            if (!first) {
                health.reconnects.incrementAndGet();
                health.state(CameraHealth.State.WAITING_TO_RECONNECT);
                if (!sleep(backoff.next())) {
                    break;
                }
            }
            first = false;
            health.state(CameraHealth.State.CONNECTING);
            try {
                stream();
            } catch (Exception e) {
                String message = String.valueOf(e.getMessage()).lines().findFirst().orElse("");
                int hint = message.indexOf(" (Has setFormat"); // JavaCV's advice to programmers, not to operators
                health.failed(redact(hint > 0 ? message.substring(0, hint) : message));
                if (backoff.failures() == 0 || backoff.failures() % 10 == 9) { // the first failure, then every tenth
                    LOG.warn("camera {}: {} (reconnecting)", camera.id(), health.lastError());
                }
            }
        }
        health.state(CameraHealth.State.STOPPED);
        small.close();
        grey.close();
        thumbnailSize.close();
    }

    /** Reads the stream until it ends, fails or the gateway stops. */
    private void stream() throws Exception {
        FrameSampler sampler = new FrameSampler(camera.fps());
        motion.forget(camera.id()); // a reopened stream's first frame is sent
        CaptureClock captureClock = new CaptureClock(2_000);
        try (FFmpegFrameGrabber grabber = new FFmpegFrameGrabber(camera.openUrl(env));
             OpenCVFrameConverter.ToMat converter = new OpenCVFrameConverter.ToMat()) {
            java.util.Map<String, String> options = new java.util.HashMap<>(camera.options());
            // the protocols' own read timeout (microseconds for udp, rtsp, http): a read that gets nothing for the stall
            // timeout fails (a UDP stream that stops sending would otherwise block the reader for ever; rw_timeout and
            // the interrupt callback do not end it, measured with FFmpeg 5 and 8)
            options.putIfAbsent("timeout", Long.toString(stall.toNanos() / 1000));
            if (camera.url().regionMatches(true, 0, "udp:", 0, 4)) {
                // the socket's receive buffer: FFmpeg's 384 kB default overflows on a 1080p key frame while other cameras'
                // threads run (measured: 4 cameras decoded 19 of 25 fps); the kernel caps it at net.core.rmem_max
                options.putIfAbsent("buffer_size", Integer.toString(4 << 20));
            }
            grabber.setOptions(options);
            if (!camera.decodeAllFrames()) {
                // frames no other frame refers to (B-frames) need not be decoded to decode the rest: sampling 5 of 25
                // fps can take its frames from the others, for a fraction of the decoding work
                grabber.setVideoOption("skip_frame", "noref");
            }
            grabber.setTimeout((int) stall.toMillis());
            grabber.start();
            health.state(CameraHealth.State.STREAMING);
            while (running) {
                Frame f = grabber.grabImage();
                long now = clock.getAsLong();
                if (f == null || f.image == null) {
                    throw new IllegalStateException("the stream ended or stalled for " + stall.toSeconds() + " s");
                }
                health.frame(now);
                backoff.reset();
                long pts = grabber.getTimestamp();
                if (!sampler.keep(pts)) {
                    continue;
                }
                Mat frame = converter.convert(f);
                if (frame == null || frame.empty()) {
                    health.failed("a frame could not be converted");
                    continue;
                }
                if (motion.enabled() && motion.still(camera.id(), thumbnail(frame), false)) {
                    health.still.incrementAndGet(); // nothing new to search: not encoded, not sent
                    continue;
                }
                encode(frame, captureClock.captureMs(pts, now));
            }
        }
    }

    /** The frame as the job's motion gate compares it: a small grey thumbnail. */
    private byte[] thumbnail(Mat frame) {
        opencv_imgproc.resize(frame, small, thumbnailSize, 0, 0, opencv_imgproc.INTER_AREA);
        switch (small.channels()) { // a grey camera's frames convert to one channel, some to four
            case 1 -> small.copyTo(grey);
            case 4 -> opencv_imgproc.cvtColor(small, grey, opencv_imgproc.COLOR_BGRA2GRAY);
            default -> opencv_imgproc.cvtColor(small, grey, opencv_imgproc.COLOR_BGR2GRAY);
        }
        byte[] out = new byte[MotionGate.WIDTH * MotionGate.HEIGHT];
        grey.data().get(out);
        return out;
    }

    private void encode(Mat frame, long captureMs) {
        double scale = Math.min(1.0, Math.min((double) camera.maxWidth() / frame.cols(), (double) camera.maxHeight() / frame.rows()));
        byte[] jpeg;
        int w = frame.cols();
        int h = frame.rows();
        if (scale < 1.0) {
            w = Math.max(1, (int) Math.round(frame.cols() * scale));
            h = Math.max(1, (int) Math.round(frame.rows() * scale));
            try (Mat small = new Mat(); Size size = new Size(w, h)) {
                opencv_imgproc.resize(frame, small, size, 0, 0, opencv_imgproc.INTER_AREA);
                jpeg = JpegCrops.encode(small, camera.jpegQuality());
            }
        } else {
            jpeg = JpegCrops.encode(frame, camera.jpegQuality());
        }
        health.sampled.incrementAndGet();
        queues.offer(new FrameQueues.Encoded(index, sequence++, captureMs, w, h, jpeg));
    }

    /** FFmpeg's messages name the URL it opened: never let the password through. */
    private String redact(String message) {
        String opened;
        try {
            opened = camera.openUrl(env);
        } catch (GatewayException e) {
            return message;
        }
        return opened.equals(camera.url()) ? message : message.replace(opened, camera.url());
    }

    private boolean sleep(Duration d) {
        long until = System.nanoTime() + d.toNanos();
        try {
            while (running && System.nanoTime() < until) {
                Thread.sleep(Math.min(100, Math.max(1, (until - System.nanoTime()) / 1_000_000)));
            }
            return running;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
