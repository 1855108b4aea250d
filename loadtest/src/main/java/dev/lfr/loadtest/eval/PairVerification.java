package dev.lfr.loadtest.eval;

import ai.onnxruntime.OrtException;
import dev.lfr.udfs.detect.FaceDetector;
import dev.lfr.udfs.embed.FaceDescriptor;
import dev.lfr.udfs.engine.FaceEngine;
import dev.lfr.udfs.image.ImageDecoder;
import dev.lfr.udfs.model.ModelStore;
import dev.lfr.udfs.pipeline.Screening;
import dev.lfr.udfs.quality.QualityGate;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.IntConsumer;

/**
 * LFW pair verification for one embedder: embeds every image once (the face nearest the centre, with the quality gate open, as
 * LFW's protocol scores every pair), scores each pair by cosine distance and runs the 10-fold protocol. A pair with an
 * image where no face was found is scored at the maximum distance 2, so failures count against accuracy.
 */
public final class PairVerification {
    /** @param screened with screening, how it went; else null */
    public record Report(String embedder, VerificationProtocol.Result result, int images, int noFace, Screened screened) {}

    /**
     * A screened run: the pairs whose screened score was within the margin of the embedder's verification threshold
     * and were scored again by the embedder, and the largest difference between a pair's screened and exact scores.
     */
    public record Screened(String model, double margin, double thresholdSimilarity, int rescored, double largestMove) {}

    private PairVerification() {}

    public static Report run(ModelStore models, String embeddingModel, List<LfwPairs.Pair> pairs, IntConsumer progress)
            throws OrtException, IOException {
        Embedded exact = embedAll(models, embeddingModel, pairs, progress);
        List<VerificationProtocol.Scored> scored = new ArrayList<>();
        for (LfwPairs.Pair p : pairs) {
            Optional<FaceDescriptor> a = exact.of(p.first());
            Optional<FaceDescriptor> b = exact.of(p.second());
            double distance = a.isPresent() && b.isPresent() ? a.get().distance(b.get()) : 2.0;
            scored.add(new VerificationProtocol.Scored(p.fold(), distance, p.same()));
        }
        return new Report(embeddingModel, VerificationProtocol.evaluate(scored), exact.images(), exact.noFace(), null);
    }

    /**
     * The pairs as a screened matcher would decide them ({@link Screening}): each pair's first photo stands for the
     * enrolled face (embedded by {@code embeddingModel}), its second for the probe, embedded by the screening model;
     * where that score is within the margin of the embedder's verification threshold, the probe is embedded by the
     * embedder and that score counts. The 10-fold protocol then runs on those scores.
     */
    public static Report runScreened(ModelStore models, String embeddingModel, Screening screening,
                                     List<LfwPairs.Pair> pairs, IntConsumer progress) throws OrtException, IOException {
        double threshold = 1 - models.spec(embeddingModel).verifyThreshold();
        Embedded exact = embedAll(models, embeddingModel, pairs, i -> progress.accept(i / 2));
        Embedded screened = embedAll(models, screening.model(), pairs, i -> progress.accept((pairs.size() + i) / 2));
        List<VerificationProtocol.Scored> scored = new ArrayList<>();
        int rescored = 0;
        double largestMove = 0;
        for (LfwPairs.Pair p : pairs) {
            Optional<FaceDescriptor> enrolled = exact.of(p.first());
            Optional<FaceDescriptor> probe = screened.of(p.second());
            Optional<FaceDescriptor> exactProbe = exact.of(p.second());
            double distance = 2.0;
            if (enrolled.isPresent() && probe.isPresent() && exactProbe.isPresent()) {
                // the two models share one output space: the screened probe is compared as the matcher compares it
                double score = OpenSetEvaluation.dot(enrolled.get().vector(), probe.get().vector());
                double exactScore = enrolled.get().cosine(exactProbe.get());
                largestMove = Math.max(largestMove, Math.abs(score - exactScore));
                if (screening.unsure(score, threshold)) {
                    score = exactScore;
                    rescored++;
                }
                distance = 1 - score;
            }
            scored.add(new VerificationProtocol.Scored(p.fold(), distance, p.same()));
        }
        return new Report(embeddingModel, VerificationProtocol.evaluate(scored), exact.images(), exact.noFace(),
                new Screened(screening.model(), screening.margin(), threshold, rescored, largestMove));
    }

    /** Each photo's centre face by one embedder (empty where none was found). */
    private record Embedded(Map<Path, Optional<FaceDescriptor>> descriptors, int noFace) {
        Optional<FaceDescriptor> of(Path image) {
            return descriptors.get(image);
        }

        int images() {
            return descriptors.size();
        }
    }

    private static Embedded embedAll(ModelStore models, String embeddingModel, List<LfwPairs.Pair> pairs,
                                     IntConsumer progress) throws OrtException, IOException {
        Map<Path, Optional<FaceDescriptor>> cache = new HashMap<>();
        ImageDecoder decoder = new ImageDecoder();
        int noFace = 0;
        int done = 0;
        try (FaceEngine engine = new FaceEngine(models, embeddingModel, FaceDetector.Config.defaults(), QualityGate.open())) {
            for (LfwPairs.Pair p : pairs) {
                for (Path image : List.of(p.first(), p.second())) {
                    if (!cache.containsKey(image)) {
                        Optional<FaceDescriptor> d = CentreFace.descriptor(engine, decoder, image);
                        noFace += d.isEmpty() ? 1 : 0;
                        cache.put(image, d);
                    }
                }
                progress.accept(++done);
            }
        }
        return new Embedded(cache, noFace);
    }
}
