package dev.lfr.loadtest.eval;

import ai.onnxruntime.OrtException;
import dev.lfr.udfs.detect.FaceDetector;
import dev.lfr.udfs.embed.FaceDescriptor;
import dev.lfr.udfs.engine.FaceEngine;
import dev.lfr.udfs.image.ImageDecoder;
import dev.lfr.udfs.model.ModelStore;
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
    public record Report(String embedder, VerificationProtocol.Result result, int images, int noFace) {}


    private PairVerification() {}

    public static Report run(ModelStore models, String embeddingModel, List<LfwPairs.Pair> pairs, IntConsumer progress)
            throws OrtException, IOException {
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
        List<VerificationProtocol.Scored> scored = new ArrayList<>();
        for (LfwPairs.Pair p : pairs) {
            Optional<FaceDescriptor> a = cache.get(p.first());
            Optional<FaceDescriptor> b = cache.get(p.second());
            double distance = a.isPresent() && b.isPresent() ? a.get().distance(b.get()) : 2.0;
            scored.add(new VerificationProtocol.Scored(p.fold(), distance, p.same()));
        }
        return new Report(embeddingModel, VerificationProtocol.evaluate(scored), cache.size(), noFace);
    }
}
