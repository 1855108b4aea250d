package dev.lfr.loadtest.bench;

import dev.lfr.udfs.detect.FaceDetector;
import dev.lfr.udfs.image.FrameImage;
import dev.lfr.udfs.image.ImageDecoder;
import dev.lfr.udfs.model.ModelStore;

/**
 * The frames per second that ONNX Runtime alone could sustain doing the job's model work, the bound the streaming
 * pipeline is measured against: per frame the detector ran on (the job's own count: detection scheduling and the
 * motion gate leave frames undetected), the detector passes the job's detector configuration makes on frames of
 * this size, plus, per face the job embedded (from the job's own metrics), a landmark run where the embedder needs
 * one and an embedder run; all at batch 1, one thread per subtask, times the parallelism.
 *
 * @param detectMs  one detector session run
 * @param passes    detector passes per frame with every tile searched
 * @param perFaceMs landmark (if any) plus embedder session runs for one face
 */
public record ModelOnlyBound(double detectMs, int passes, double perFaceMs) {

    /** Measures the session runs now, on this machine. */
    public static ModelOnlyBound measure(ModelStore models, String embeddingModel, FaceDetector.Config detector, byte[] frameJpeg)
            throws Exception {
        int passes;
        try (FaceDetector d = new FaceDetector(models, detector); FrameImage f = new ImageDecoder().decode(frameJpeg)) {
            passes = d.passes(f.width(), f.height());
        }
        double detect = EngineBenchmark.sessionRunOnly(models, FaceDetector.MODEL_ID, 10, 60).meanMs();
        double perFace = EngineBenchmark.sessionRunOnly(models, embeddingModel, 10, 60).meanMs();
        var alignment = models.spec(embeddingModel).alignment();
        if (!alignment.usesBlazeFaceKeypoints()) {
            perFace += EngineBenchmark.sessionRunOnly(models, alignment.landmarks(), 10, 60).meanMs();
        }
        return new ModelOnlyBound(detect, passes, perFace);
    }

    /**
     * The bound in frames per second, where the detector runs on {@code detectedShare} of the frames and
     * {@code facesPerFrame} faces a frame are embedded, on {@code parallelism} cores; null where the frames took no
     * model work at all (every one still), which no bound limits.
     */
    public Double framesPerSecond(double detectedShare, double facesPerFrame, int parallelism) {
        return framesPerSecond(detectedShare, passes, facesPerFrame, parallelism);
    }

    private Double framesPerSecond(double detectedShare, double passesPerDetected, double facesPerFrame, int parallelism) {
        double msPerFrame = detectedShare * passesPerDetected * detectMs + facesPerFrame * perFaceMs;
        return msPerFrame > 0 ? parallelism * 1000.0 / msPerFrame : null;
    }

    /**
     * The bound for a replay, and (where the replay drained a backlog as fast as it could) the job's throughput as a
     * share of it; null otherwise, since a paced run shows only the pace.
     */
    public record Description(double detectorRunMs, double detectorPassesPerFrame, double detectedShareOfFrames,
                              double perEmbeddedFaceMs, double embeddedFacesPerFrame, int parallelism, Double boundFps,
                              Double jobFpsOverBound) {}

    /**
     * @param passesPerDetected the detector passes a detected frame took as the job counted them (tiles searched only
     *                          where there was motion vary by frame), or null for the configured count
     * @param jobFps            the job's measured frames a second with a backlog, or null
     */
    public Description describe(double detectedShare, Double passesPerDetected, double facesPerFrame, int parallelism,
                                Double jobFps) {
        double passesRun = passesPerDetected == null ? passes : passesPerDetected;
        Double bound = framesPerSecond(detectedShare, passesRun, facesPerFrame, parallelism);
        return new Description(detectMs, passesRun, detectedShare, perFaceMs, facesPerFrame, parallelism, bound,
                jobFps == null || bound == null ? null : jobFps / bound);
    }
}
