package dev.lfr.udfs.engine;

import ai.onnxruntime.OrtException;
import dev.lfr.udfs.align.AlignedFace;
import dev.lfr.udfs.align.FaceAligner;
import dev.lfr.udfs.detect.Detection;
import dev.lfr.udfs.detect.FaceDetector;
import dev.lfr.udfs.embed.FaceDescriptor;
import dev.lfr.udfs.embed.FaceEmbedder;
import dev.lfr.udfs.image.FrameImage;
import dev.lfr.udfs.model.ModelStore;
import dev.lfr.udfs.quality.FaceQuality;
import dev.lfr.udfs.quality.QualityGate;
import dev.lfr.udfs.quality.QualityReport;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The whole chain for one frame: detect, assess quality, align and embed the faces that pass, in one batch. A
 * convenience for the CLI, evaluation and benchmarks; streaming operators use the parts separately.
 *
 * <p>Not thread-safe: it owns one detector, aligner and embedder. One per thread.
 */
public final class FaceEngine implements AutoCloseable {
    private final FaceDetector detector;
    private final FaceAligner aligner;
    private final FaceEmbedder embedder;
    private final FaceQuality quality = new FaceQuality();
    private final QualityGate gate;

    public FaceEngine(ModelStore models, String embedderId, FaceDetector.Config detectorConfig, QualityGate gate) {
        this.detector = new FaceDetector(models, detectorConfig);
        this.aligner = new FaceAligner(models, embedderId);
        this.embedder = new FaceEmbedder(models, embedderId, 8);
        this.gate = gate;
    }

    public static FaceEngine withDefaults(ModelStore models, String embedderId) {
        return new FaceEngine(models, embedderId == null ? models.defaultEmbedder() : embedderId,
                FaceDetector.Config.defaults(), QualityGate.defaults());
    }

    public FaceEmbedder embedder() {
        return embedder;
    }

    public FaceDetector detector() {
        return detector;
    }

    public FaceAligner aligner() {
        return aligner;
    }

    /** Every detected face, best detector score first; descriptors for those that pass the quality gate. */
    public List<FaceResult> analyse(FrameImage frame) throws OrtException {
        List<Detection> detections = detector.detect(frame);
        List<QualityReport> reports = new ArrayList<>();
        List<AlignedFace> chips = new ArrayList<>();
        for (Detection d : detections) {
            QualityReport q = quality.assess(frame, d);
            reports.add(q);
            if (gate.passes(q)) {
                chips.add(aligner.align(frame, d));
            }
        }
        List<FaceDescriptor> descriptors = embedder.embedAll(chips);
        chips.forEach(c -> c.chip().close());
        List<FaceResult> out = new ArrayList<>(detections.size());
        int next = 0;
        for (int i = 0; i < detections.size(); i++) {
            List<QualityGate.Reason> reasons = gate.check(reports.get(i));
            Optional<FaceDescriptor> descriptor = reasons.isEmpty() ? Optional.of(descriptors.get(next++)) : Optional.empty();
            out.add(new FaceResult(detections.get(i), reports.get(i), reasons, descriptor));
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
        quality.close();
        embedder.close();
        aligner.close();
        detector.close();
    }
}
