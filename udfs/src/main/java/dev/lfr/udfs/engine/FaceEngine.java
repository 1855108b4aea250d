package dev.lfr.udfs.engine;

import ai.onnxruntime.OrtException;
import dev.lfr.udfs.detect.Detection;
import dev.lfr.udfs.detect.FaceDetector;
import dev.lfr.udfs.embed.FaceDescriptor;
import dev.lfr.udfs.embed.FaceEmbedder;
import dev.lfr.udfs.image.FrameImage;
import dev.lfr.udfs.model.ModelStore;
import dev.lfr.udfs.pipeline.FramePipeline;
import dev.lfr.udfs.quality.QualityGate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Every face of a photo, described: {@link FramePipeline}'s detection, quality gate and embedding without the
 * tracker, for the CLI, enrolment, evaluation and benchmarks. Not thread-safe: one per thread.
 */
public final class FaceEngine implements AutoCloseable {
    private final FramePipeline pipeline;

    public FaceEngine(ModelStore models, String embeddingModel, FaceDetector.Config detectorConfig, QualityGate gate) {
        this(models, embeddingModel, detectorConfig, gate, false);
    }

    /** With {@code flipAveraging}, each face is embedded as it is and mirrored, and the two are summed. */
    public FaceEngine(ModelStore models, String embeddingModel, FaceDetector.Config detectorConfig, QualityGate gate,
                      boolean flipAveraging) {
        this.pipeline = new FramePipeline(models, new FramePipeline.Config(models.dir().toString(), embeddingModel,
                detectorConfig, gate, 8, flipAveraging, dev.lfr.udfs.pipeline.MotionGate.Config.off(),
                dev.lfr.udfs.pipeline.DetectionSchedule.Config.everyFrame(), dev.lfr.udfs.track.IouTracker.defaults(),
                false, false, dev.lfr.udfs.pipeline.Screening.off())); // single images: no camera, no motion
    }

    public static FaceEngine withDefaults(ModelStore models, String embeddingModel) {
        return new FaceEngine(models, embeddingModel == null ? models.defaultEmbedder() : embeddingModel,
                FaceDetector.Config.defaults(), QualityGate.defaults());
    }

    public FaceEmbedder embedder() {
        return pipeline.embedder();
    }

    /** Every detected face, best detector score first; descriptors for those that pass the quality gate. */
    public List<FaceResult> analyse(FrameImage frame) throws OrtException {
        FramePipeline.Faces faces = pipeline.detect(frame);
        List<Detection> usable = new ArrayList<>();
        for (int i = 0; i < faces.size(); i++) {
            if (faces.usable().get(i)) {
                usable.add(faces.detections().get(i));
            }
        }
        List<FaceDescriptor> descriptors = pipeline.embed(frame, usable);
        List<FaceResult> out = new ArrayList<>(faces.size());
        int next = 0;
        for (int i = 0; i < faces.size(); i++) {
            List<QualityGate.Reason> reasons = pipeline.gate().check(faces.reports().get(i));
            Optional<FaceDescriptor> descriptor = faces.usable().get(i) ? Optional.of(descriptors.get(next++)) : Optional.empty();
            out.add(new FaceResult(faces.detections().get(i), faces.reports().get(i), reasons, descriptor));
        }
        return out;
    }

    /**
     * The descriptor of the main face of a photo (largest usable face), for enrolment, comparison and evaluation.
     * Empty when no face passes the gate.
     */
    public Optional<FaceResult> mainFace(FrameImage image) throws OrtException {
        return analyse(image).stream().filter(FaceResult::usable)
                .max(Comparator.comparingDouble(r -> r.detection().box().area()));
    }

    @Override
    public void close() throws OrtException {
        pipeline.close();
    }
}
