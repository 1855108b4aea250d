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
 * capture time = the wall clock at sending, keyed by camera. As fast as possible ({@code fps} 0), capture times
 * still advance at {@code nominalFps} from the start, so a walk-past keeps its real duration in event time (the
 * tracker and the deduplicator work in event time) however fast it is sent. The ground truth of every frame goes to
 * a JSON-lines file the job never reads.
 */
public final class FrameReplayer {
    /**
     * @param topic      the frames topic
     * @param cameras    camera ids (each must be in an active deployment for the job to process its frames)
     * @param fps        steps (frames per camera) per second; 0 = as fast as possible
     * @param steps      frames per camera
     * @param nominalFps the frame rate capture times advance at when sending as fast as possible
     */
    public record Settings(String topic, List<String> cameras, double fps, long steps, double nominalFps) {}

    /** What was sent: frames and faces shown, the offered and achieved frame rates (all cameras together). */
    public record Result(long frames, long faces, double offeredFps, double achievedFps, double seconds,
                         List<TruthFace> truth) {}

    private FrameReplayer() {}

    public static Result run(Producer<byte[], byte[]> producer, FrameSource source, Settings s, Path truthFile,
                             LongConsumer progress) throws Exception {
        Pacer pacer = new Pacer(s.fps());
        List<TruthFace> truth = new ArrayList<>();
        ObjectMapper json = new ObjectMapper();
        long frames = 0;
        long started = System.nanoTime();
        long startMs = System.currentTimeMillis();
        try (BufferedWriter gt = truthFile == null ? null : Files.newBufferedWriter(truthFile, StandardCharsets.UTF_8)) {
            for (long step = 0; step < s.steps(); step++) {
                pacer.awaitNext();
                for (String camera : s.cameras()) {
                    long now = s.fps() > 0 ? System.currentTimeMillis() : startMs + Math.round(step * 1000 / s.nominalFps());
                    ReplayFrame f = source.next(camera, step, now);
                    FrameEvent e = FrameEvent.newBuilder().setCamera(camera).setSequence(step)
                            .setCaptureTime(Instant.ofEpochMilli(now)).setWidth(f.width()).setHeight(f.height())
                            .setEncoding(f.jpeg().length > 1 && (f.jpeg()[0] & 0xFF) == 0x89 ? ImageEncoding.PNG : ImageEncoding.JPEG)
                            .setImage(ByteBuffer.wrap(f.jpeg())).build();
                    producer.send(new ProducerRecord<>(s.topic(), camera.getBytes(StandardCharsets.UTF_8), AvroBytes.encode(e)));
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
        double seconds = (System.nanoTime() - started) / 1e9;
        double offered = s.fps() * s.cameras().size();
        return new Result(frames, truth.size(), offered, frames / Math.max(seconds, 1e-9), seconds, truth);
    }
}
