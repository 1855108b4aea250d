package dev.lfr.cli;

import dev.lfr.udfs.embed.FaceDescriptor;
import dev.lfr.udfs.engine.FaceEngine;
import dev.lfr.udfs.engine.FaceResult;
import dev.lfr.udfs.image.FrameImage;
import dev.lfr.udfs.quality.QualityGate;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "compare", description = {
        "1:1 verification of the main (largest) face of two images; prints distance=<d> same=<true|false> threshold=<t>.",
        "The distance is the cosine distance 1 - cos of the L2-normalised descriptors; the default threshold is the one",
        "that maximised accuracy on the LFW development half for the chosen embedder (docs/benchmarks.md)."})
final class CompareCommand extends LfrCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "A")
    Path first;

    @Parameters(index = "1", paramLabel = "B")
    Path second;

    @Option(names = "--threshold", paramLabel = "T", description = "distance at or below which the faces are the same person")
    Double threshold;

    @Mixin
    EngineOptions engine;

    @Override
    public Integer call() throws Exception {
        if (threshold != null && !(threshold >= 0 && threshold <= 2)) { // NaN fails both
            throw new UserError("--threshold is a cosine distance, 0 to 2, not " + threshold);
        }
        try (FaceEngine e = engine.engine(PERMISSIVE)) {
            FaceDescriptor a = mainFace(e, first);
            FaceDescriptor b = mainFace(e, second);
            double t = threshold != null ? threshold : e.embedder().spec().verifyThreshold();
            double d = a.distance(b);
            out().printf(Locale.ROOT, "distance=%.4f same=%s threshold=%.4f%n", d, d <= t, t);
        }
        return 0;
    }

    /** 1:1 comparison of photos a person chose: only faces too small to describe at all are refused. */
    static final QualityGate PERMISSIVE = new QualityGate(16, 6, 0, Double.MAX_VALUE, 180, 0.5);

    static FaceDescriptor mainFace(FaceEngine e, Path image) throws Exception {
        try (FrameImage frame = EngineOptions.decode(image)) {
            return e.mainFace(frame).flatMap(FaceResult::descriptor)
                    .orElseThrow(() -> new UserError("no usable face found in " + image));
        }
    }
}
