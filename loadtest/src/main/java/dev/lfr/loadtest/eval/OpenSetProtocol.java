package dev.lfr.loadtest.eval;

import dev.lfr.udfs.detect.FaceDetector;
import dev.lfr.udfs.engine.FaceEngine;
import dev.lfr.udfs.model.ModelStore;
import dev.lfr.udfs.pipeline.Screening;
import dev.lfr.udfs.quality.QualityGate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;

/**
 * The 1:N protocol from a folder of identities to written reports, as {@code ./lfr eval --data --out} runs it: every
 * image embedded once (and by the screening model too, with screening), the strangers' faces found, then one report
 * as labelled, one with the label corrections, and the multi-image protocol, all from those descriptors.
 */
public final class OpenSetProtocol {
    private OpenSetProtocol() {}

    /** Where a long step reports its progress: a phase of {@code total} steps, told the steps done so far. */
    public interface Progress {
        Phase start(String label, int total);
    }

    /** One phase of {@link Progress}; closed when it ends. */
    public interface Phase extends IntConsumer, AutoCloseable {
        @Override
        void close();
    }

    /**
     * @param data                DIR/&lt;identity&gt;/&lt;images&gt;
     * @param embeddingModel      the embedder's model id
     * @param singleFaceEnrolment only photos with one face enrol
     * @param cohort              cohort normalisation's K (0: raw scores)
     * @param flip                flip averaging
     * @param threads             embedding threads
     * @param strangers           folders of people not in {@code data}: every usable face a further non-mated search
     * @param strangerEvery       the video frames sampled for {@code strangers}
     * @param screening           a screening model's settings, or null
     * @param corrections         reviewed label corrections: a second report with them, or null
     * @param groups              identity to group label (per-group rates), or empty
     * @param threshold           a fixed operating threshold to report too, or null
     * @param probeSets           the multi-image protocol's largest set, or null for none
     */
    public record Request(Path data, String embeddingModel, OpenSetEvaluation.Enrol enrol, boolean singleFaceEnrolment,
                          int cohort, boolean flip, int threads, List<Path> strangers, int strangerEvery,
                          Screening screening, LabelCorrections corrections, Map<String, String> groups, Double threshold,
                          Integer probeSets) {}

    /** A report written to {@code dir}, and the evaluation it reports (with the screening's tally, if on). */
    public record Written(Path dir, OpenSetReport report, OpenSetEvaluation.Result result) {}

    /**
     * @param reports   as labelled, then with the corrections
     * @param probeSets the multi-image protocol's report, or null
     */
    public record Outcome(List<Written> reports, Path probeSets) {}

    /** @throws IllegalArgumentException when {@code data} holds no images, or no identity to enrol */
    public static Outcome run(ModelStore models, Request r, Path outDir, Progress progress) throws Exception {
        List<OpenSetEvaluation.Identity> identities = OpenSetEvaluation.scan(r.data());
        List<Path> images = identities.stream().flatMap(i -> i.images().stream()).toList();
        if (images.isEmpty()) {
            throw new IllegalArgumentException(r.data() + " holds no DIR/<identity>/<images>");
        }
        OpenSetEvaluation.Embedded embedded = embedAll(models, r, r.embeddingModel(), images, progress);
        List<OpenSetEvaluation.Stranger> strangers = new ArrayList<>();
        if (!r.strangers().isEmpty()) {
            try (FaceEngine engine = new FaceEngine(models, r.embeddingModel(), FaceDetector.Config.defaults(),
                    QualityGate.defaults(), r.flip())) {
                strangers.addAll(StrangerFaces.find(engine, r.strangers(), r.strangerEvery()));
            }
        }
        OpenSetEvaluation.ScreenedProbes screened = r.screening() == null ? null
                : new OpenSetEvaluation.ScreenedProbes(embedAll(models, r, r.screening().model(), images, progress)
                        .descriptors(), r.screening(), 1 - models.spec(r.embeddingModel()).searchThreshold());
        List<Written> reports = new ArrayList<>();
        reports.add(report(r, identities, embedded, screened, strangers, outDir, ""));
        if (r.corrections() != null) {
            reports.add(report(r, r.corrections().apply(identities), embedded, screened, strangers,
                    outDir.resolve("corrected"), " with label corrections"));
        }
        Path probeSetsReport = null;
        if (r.probeSets() != null) {
            List<OpenSetEvaluation.Identity> sets = r.corrections() == null ? identities : r.corrections().apply(identities);
            double perFace = OpenSetEvaluation.evaluate(sets, embedded, new OpenSetEvaluation.Options(
                    OpenSetEvaluation.Enrol.FIRST, r.singleFaceEnrolment(), 0), strangers).metrics().thresholdAtFpir(0.001);
            probeSetsReport = outDir.resolve("probe-sets.md");
            Files.writeString(probeSetsReport, ProbeSetReport.markdown(ProbeSetEvaluation.evaluate(sets, embedded,
                    r.probeSets()), r.probeSets(), perFace, r.embeddingModel(), r.corrections() != null));
        }
        return new Outcome(reports, probeSetsReport);
    }

    private static OpenSetEvaluation.Embedded embedAll(ModelStore models, Request r, String model, List<Path> images,
                                                       Progress progress) throws Exception {
        try (Phase phase = progress.start("embedding " + model, images.size())) {
            return OpenSetEvaluation.embedAll(models, model, QualityGate.defaults(), images, r.threads(), r.flip(), phase);
        }
    }

    private static Written report(Request r, List<OpenSetEvaluation.Identity> identities,
                                  OpenSetEvaluation.Embedded embedded, OpenSetEvaluation.ScreenedProbes screened,
                                  List<OpenSetEvaluation.Stranger> strangers, Path dir, String what) throws Exception {
        OpenSetEvaluation.Result result = OpenSetEvaluation.evaluate(identities, embedded,
                new OpenSetEvaluation.Options(r.enrol(), r.singleFaceEnrolment(), r.cohort(), screened), strangers);
        if (result.watchlistSize() == 0) {
            throw new IllegalArgumentException(r.data() + " has no identity with two or more usable images to enrol");
        }
        String embedder = r.embeddingModel() + (r.flip() ? ", flip averaging" : "")
                + (r.cohort() > 0 ? ", cohort normalisation k=" + r.cohort() : "")
                + (screened != null ? ", screened by " + r.screening().model() + " (margin " + r.screening().margin() + ")" : "");
        OpenSetReport report = OpenSetReport.write(dir, r.data() + what, embedder, r.enrol(), r.singleFaceEnrolment(),
                result, r.groups(), r.threshold());
        return new Written(dir, report, result);
    }
}
