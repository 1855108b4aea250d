package dev.lfr.loadtest.eval;

import ai.onnxruntime.OrtException;
import dev.lfr.udfs.detect.Box;
import dev.lfr.udfs.detect.Detection;
import dev.lfr.udfs.detect.FaceDetector;
import dev.lfr.udfs.detect.IouMatching;
import dev.lfr.udfs.image.FrameImage;
import dev.lfr.udfs.image.ImageDecodeException;
import dev.lfr.udfs.image.ImageDecoder;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Detection recall and false detections against hand-drawn boxes: each annotated face is matched to at most one
 * detection (best IoU first, greedy) at IoU >= {@value #MIN_IOU}; unmatched detections are false detections.
 */
public final class DetectionEvaluation {
    public static final double MIN_IOU = 0.4;

    public record ImageResult(String image, int faces, int found, int falseDetections) {}

    public record Report(int images, int faces, int found, int falseDetections, List<ImageResult> perImage) {
        public double recall() {
            return faces == 0 ? Double.NaN : (double) found / faces;
        }

        public double falsePerImage() {
            return images == 0 ? Double.NaN : (double) falseDetections / images;
        }
    }

    private DetectionEvaluation() {}

    public static Report run(FaceDetector detector, Path imageDir, Map<String, List<Box>> truth)
            throws IOException, OrtException, ImageDecodeException {
        ImageDecoder decoder = new ImageDecoder();
        List<ImageResult> results = new ArrayList<>();
        for (Map.Entry<String, List<Box>> e : truth.entrySet()) {
            try (FrameImage img = decoder.decode(imageDir.resolve(e.getKey()))) {
                List<Box> found = detector.detect(img).stream().map(Detection::box).toList();
                int matched = match(e.getValue(), found);
                results.add(new ImageResult(e.getKey(), e.getValue().size(), matched, found.size() - matched));
            }
        }
        return new Report(results.size(), results.stream().mapToInt(ImageResult::faces).sum(),
                results.stream().mapToInt(ImageResult::found).sum(),
                results.stream().mapToInt(ImageResult::falseDetections).sum(), results);
    }

    /** Greedy one-to-one matching, highest IoU first; returns the number of matched truth boxes. */
    static int match(List<Box> truth, List<Box> found) {
        return (int) Arrays.stream(IouMatching.match(found, truth, MIN_IOU)).filter(i -> i >= 0).count();
    }
}
