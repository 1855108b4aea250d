package dev.lfr.loadtest.replay;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lfr.schemas.AvroBytes;
import dev.lfr.schemas.FrameEvent;
import dev.lfr.schemas.ImageEncoding;
import java.io.BufferedWriter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongConsumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Sends frames to the frames topic as N cameras: at each step one frame per camera, steps paced at {@code fps},
 * keyed by camera. A frame's capture time is when its step was due ({@code nominalFps} from the start), whether it
 * is sent on time, late (sending stalled) or as fast as possible ({@code fps} 0): a walk-past keeps its real
 * duration in event time (the tracker and the deduplicator work in event time) however it is sent, and the latency
 * measured from it includes any wait before sending. The ground truth of every frame goes to
 * a JSON-lines file the job never reads.
 */
public final class FrameReplayer {
    /**
     * @param topic      the frames topic
     * @param cameras    camera ids (each must be in an active deployment for the job to process its frames)
     * @param fps        steps (frames per camera) per second; 0 = as fast as possible
     * @param steps      frames per camera
     * @param nominalFps the frame rate capture times advance at (the camera's own)
     */
    public record Settings(String topic, List<String> cameras, double fps, long steps, double nominalFps) {}

    /**
     * What was sent: frames and faces shown, the offered and achieved frame rates (all cameras together), and the
     * CPU seconds used while sending by the thread that made and handed over the frames, and by the whole process
     * (the job and the broker too when they run in it).
     */
    public record Result(long frames, long faces, double offeredFps, double achievedFps, double seconds,
                         List<TruthFace> truth, double senderCpuS, double processCpuS) {}

    private FrameReplayer() {}

    public static Result run(Producer<byte[], byte[]> producer, FrameSource source, Settings s, Path truthFile,
                             LongConsumer progress) throws Exception {
        Pacer pacer = new Pacer(s.fps());
        List<TruthFace> truth = new ArrayList<>();
        ObjectMapper json = new ObjectMapper();
        long frames = 0;
        java.util.concurrent.atomic.AtomicLong undelivered = new java.util.concurrent.atomic.AtomicLong();
        java.util.concurrent.atomic.AtomicReference<Exception> firstError = new java.util.concurrent.atomic.AtomicReference<>();
        long started = System.nanoTime();
        long startMs = System.currentTimeMillis();
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        long senderCpuBefore = threads.getCurrentThreadCpuTime();
        long processCpuBefore = processCpuNanos();
        try (BufferedWriter gt = truthFile == null ? null : Files.newBufferedWriter(truthFile, StandardCharsets.UTF_8)) {
            for (long step = 0; step < s.steps(); step++) {
                pacer.awaitNext();
                for (String camera : s.cameras()) {
                    // a frame's capture time is when its step was due, as a camera captures on its own clock: when
                    // sending stalls (a broker restart) the frames that waited keep their times and arrive late,
                    // rather than being squeezed milliseconds apart (which would splice walk-pasts into one track)
                    long now = startMs + Math.round(step * 1000 / s.nominalFps());
                    ReplayFrame f = source.next(camera, step, now);
                    FrameEvent e = FrameEvent.newBuilder().setCamera(camera).setSequence(step)
                            .setCaptureTime(Instant.ofEpochMilli(now)).setWidth(f.width()).setHeight(f.height())
                            .setEncoding(f.jpeg().length > 1 && (f.jpeg()[0] & 0xFF) == 0x89 ? ImageEncoding.PNG : ImageEncoding.JPEG)
                            .setImage(ByteBuffer.wrap(f.jpeg())).build();
                    producer.send(new ProducerRecord<>(s.topic(), camera.getBytes(StandardCharsets.UTF_8), AvroBytes.encode(e)),
                            (meta, error) -> {
                                if (error != null && undelivered.getAndIncrement() == 0) {
                                    firstError.set(error);
                                }
                            });
                    frames++;
                    for (TruthFace t : f.faces()) {
                        truth.add(t);
                        if (gt != null) {
                            gt.write(json.writeValueAsString(t));
                            gt.newLine();
                        }
                    }
                }
                progress.accept(frames);
            }
            producer.flush();
        }
        if (undelivered.get() > 0) {
            // the ground truth counts them as shown: scoring would call the job's misses what the broker never had
            throw new IllegalStateException(undelivered.get() + " frame(s) were not delivered to " + s.topic() + ": " + firstError.get());
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        double offered = s.fps() * s.cameras().size();
        return new Result(frames, truth.size(), offered, frames / Math.max(seconds, 1e-9), seconds, truth,
                (threads.getCurrentThreadCpuTime() - senderCpuBefore) / 1e9, (processCpuNanos() - processCpuBefore) / 1e9);
    }

    private static long processCpuNanos() {
        return java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.OperatingSystemMXBean os ? os.getProcessCpuTime() : -1;
    }
}
