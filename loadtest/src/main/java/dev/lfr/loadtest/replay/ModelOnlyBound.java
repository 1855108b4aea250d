package dev.lfr.loadtest.replay;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.lfr.loadtest.timing.StageTimer;
import dev.lfr.udfs.detect.FaceDetector;
import dev.lfr.udfs.image.FrameImage;
import dev.lfr.udfs.image.ImageDecoder;
import dev.lfr.udfs.model.ModelStore;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The frames per second that ONNX Runtime alone could sustain doing the job's model work, the bound the streaming
 * pipeline is measured against: per frame the detector ran on (the job's own count: detection scheduling and the
 * motion gate leave frames undetected), the detector passes the job's detector configuration makes on frames of
 * this size, plus, per face the job embedded (from the job's own metrics), a landmark run where the embedder needs
 * one and an embedder run; all at batch 1, one session per subtask, times the subtasks: the job's parallelism, at
 * most this machine's cores (more subtasks than cores share them, and as many sessions would only take memory).
 *
 * <p>Each model's run time is measured with one session per subtask running at once, as the job's subtasks run
 * them (two busy cores share caches and memory bandwidth: the embedder is 7-12% slower a run than on one busy
 * core), and taken as the median run: a mean of a few dozen runs let one stall (a JIT or GC thread on the same
 * cores) move the bound by 15-30% between replays of the same work.
 *
 * @param detectMs  one detector session run
 * @param passes    detector passes per frame with every tile searched
 * @param perFaceMs landmark (if any) plus embedder session runs for one face
 * @param sessions  the sessions of each model timed at once, and the subtasks the bound counts
 */
public record ModelOnlyBound(double detectMs, int passes, double perFaceMs, int sessions) {
    private static final int WARMUP_RUNS = 20;
    private static final int RUNS = 200;

    /** A measurement to take, when the machine is quiet. */
    @FunctionalInterface
    public interface Measure {
        ModelOnlyBound now() throws Exception;
    }

    /**
     * Measures the session runs now, on this machine, with one session of each model per subtask of a job of
     * {@code parallelism} at once (at most one per core).
     */
    public static ModelOnlyBound measure(ModelStore models, String embeddingModel, FaceDetector.Config detector,
                                         byte[] frameJpeg, int parallelism) throws Exception {
        int sessions = sessions(parallelism, Runtime.getRuntime().availableProcessors());
        int passes;
        try (FaceDetector d = new FaceDetector(models, detector); FrameImage f = new ImageDecoder().decode(frameJpeg)) {
            passes = d.passes(f.width(), f.height());
        }
        double detect = medianRunMs(models, FaceDetector.MODEL_ID, sessions);
        double perFace = medianRunMs(models, embeddingModel, sessions);
        var alignment = models.spec(embeddingModel).alignment();
        if (!alignment.usesBlazeFaceKeypoints()) {
            perFace += medianRunMs(models, alignment.landmarks(), sessions);
        }
        return new ModelOnlyBound(detect, passes, perFace, sessions);
    }

    /** The sessions to time at once for a job of {@code parallelism} subtasks on {@code cores} cores. */
    static int sessions(int parallelism, int cores) {
        if (parallelism < 1) {
            throw new IllegalArgumentException("parallelism " + parallelism + ": a job has at least one subtask");
        }
        return Math.min(parallelism, cores);
    }

    /** Each model's faster run time of this measurement and {@code other}'s (of the same frames' passes). */
    public ModelOnlyBound fasterOf(ModelOnlyBound other) {
        return new ModelOnlyBound(Math.min(detectMs, other.detectMs), passes, Math.min(perFaceMs, other.perFaceMs),
                sessions);
    }

    /**
     * The bound our code cannot beat: ONNX Runtime's {@code run} alone, batch 1, on a fixed input (values do not
     * change the work these convolutional models do), with the same session options as the engine.
     */
    public static StageTimer.Stats sessionRunOnly(ModelStore models, String id, int warmup, int iterations)
            throws Exception {
        var input = models.manifest().model(id).inputs().get(0);
        long[] shape = input.shape().clone();
        shape[0] = 1;
        int n = 1;
        for (long d : shape) {
            n *= (int) d;
        }
        FloatBuffer values = ByteBuffer.allocateDirect(4 * n).order(ByteOrder.nativeOrder()).asFloatBuffer();
        for (int i = 0; i < n; i++) {
            values.put(i, (i % 255) / 255f - 0.5f);
        }
        try (OrtSession session = models.open(id);
             OnnxTensor tensor = OnnxTensor.createTensor(OrtEnvironment.getEnvironment(), values, shape)) {
            return StageTimer.time(warmup, iterations, 1, () -> session.run(Map.of(input.name(), tensor)).close());
        }
    }

    /** The mean over {@code sessions} concurrent sessions of each one's median run. */
    static double medianRunMs(ModelStore models, String model, int sessions) throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(sessions);
        try {
            List<Future<StageTimer.Stats>> runs = new ArrayList<>();
            for (int i = 0; i < sessions; i++) {
                runs.add(threads.submit(() -> sessionRunOnly(models, model, WARMUP_RUNS, RUNS)));
            }
            double sum = 0;
            for (Future<StageTimer.Stats> run : runs) {
                sum += run.get().p50Ms();
            }
            return sum / sessions;
        } finally {
            threads.shutdownNow();
        }
    }

    /**
     * The bound in frames per second, where the detector runs on {@code detectedShare} of the frames with
     * {@code passesPerDetected} passes and {@code facesPerFrame} faces a frame are embedded, on {@link #sessions}
     * cores; null where the frames took no model work at all (every one still), which no bound limits.
     */
    private Double framesPerSecond(double detectedShare, double passesPerDetected, double facesPerFrame) {
        double msPerFrame = detectedShare * passesPerDetected * detectMs + facesPerFrame * perFaceMs;
        return msPerFrame > 0 ? sessions * 1000.0 / msPerFrame : null;
    }

    /**
     * The bound for a replay, and (where the replay drained a backlog as fast as it could) the job's throughput as a
     * share of it; null otherwise, since a paced run shows only the pace. {@code parallelism} is the subtasks the
     * bound counts ({@link #sessions}).
     */
    public record Description(double detectorRunMs, double detectorPassesPerFrame, double detectedShareOfFrames,
                              double perEmbeddedFaceMs, double embeddedFacesPerFrame, int parallelism, Double boundFps,
                              Double jobFpsOverBound) {}

    /**
     * @param passesPerDetected the detector passes a detected frame took as the job counted them (tiles searched only
     *                          where there was motion vary by frame), or null for the configured count
     * @param jobFps            the job's measured frames a second with a backlog, or null
     */
    public Description describe(double detectedShare, Double passesPerDetected, double facesPerFrame, Double jobFps) {
        double passesRun = passesPerDetected == null ? passes : passesPerDetected;
        Double bound = framesPerSecond(detectedShare, passesRun, facesPerFrame);
        return new Description(detectMs, passesRun, detectedShare, perFaceMs, facesPerFrame, sessions, bound,
                jobFps == null || bound == null ? null : jobFps / bound);
    }
}
