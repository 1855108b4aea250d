package dev.lfr.loadtest.bench;

import dev.lfr.udfs.detect.FaceDetector;
import dev.lfr.udfs.image.FrameImage;
import dev.lfr.udfs.image.ImageDecoder;
import dev.lfr.udfs.model.ModelStore;
import java.util.Map;

/**
 * The frames per second that ONNX Runtime alone could sustain doing the job's model work, the bound the streaming
 * pipeline is measured against: per frame, the detector passes the job's detector configuration makes on frames of
 * this size, plus, per face the job embedded (from the job's own metrics), a landmark run where the embedder needs
 * one and an embedder run; all at batch 1, one thread per subtask, times the parallelism.
 *
 * @param detectMs  one detector session run
 * @param passes    detector passes per frame
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

    /** The bound in frames per second, for {@code facesPerFrame} embedded faces a frame on {@code parallelism} cores. */
    public double framesPerSecond(double facesPerFrame, int parallelism) {
        return parallelism * 1000.0 / (passes * detectMs + facesPerFrame * perFaceMs);
    }

    public Map<String, Object> describe(double facesPerFrame, int parallelism) {
        return Map.of("detector_run_ms", detectMs, "detector_passes_per_frame", passes, "per_embedded_face_ms", perFaceMs,
                "embedded_faces_per_frame", facesPerFrame, "parallelism", parallelism,
                "bound_fps", framesPerSecond(facesPerFrame, parallelism));
    }
}
