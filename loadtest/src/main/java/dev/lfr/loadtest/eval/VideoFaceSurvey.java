package dev.lfr.loadtest.eval;

import ai.onnxruntime.OrtException;
import dev.lfr.udfs.engine.FaceEngine;
import dev.lfr.udfs.engine.FaceResult;
import dev.lfr.udfs.image.FrameImage;
import dev.lfr.udfs.image.VideoFrameReader;
import dev.lfr.udfs.quality.QualityGate;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import org.bytedeco.javacv.FrameGrabber;

/**
 * Runs the engine over a video's frames and counts faces found, faces the quality gate passes, and why the others
 * were rejected: on a walk-past clip faces must be found and embedded; on overhead CCTV with 10-20 px faces the gate
 * must reject them all, so such a camera raises no alerts.
 */
public final class VideoFaceSurvey {
    public record Report(String video, int width, int height, int framesRead, int framesProcessed,
                         int framesWithFaces, int faces, int usableFaces, double medianFaceSize,
                         Map<QualityGate.Reason, Integer> rejected) {}

    private VideoFaceSurvey() {}

    public static Report run(FaceEngine engine, Path video, int every) throws FrameGrabber.Exception, OrtException {
        int read = 0;
        int processed = 0;
        int withFaces = 0;
        int faces = 0;
        int usable = 0;
        java.util.List<Double> sizes = new java.util.ArrayList<>();
        Map<QualityGate.Reason, Integer> rejected = new EnumMap<>(QualityGate.Reason.class);
        try (VideoFrameReader reader = new VideoFrameReader(video)) {
            FrameImage frame;
            while ((frame = reader.next()) != null) {
                try (FrameImage f = frame) {
                    if (read++ % every != 0) {
                        continue;
                    }
                    processed++;
                    var results = engine.analyse(f);
                    withFaces += results.isEmpty() ? 0 : 1;
                    for (FaceResult r : results) {
                        faces++;
                        sizes.add(r.quality().faceSize());
                        if (r.usable()) {
                            usable++;
                        }
                        r.rejected().forEach(reason -> rejected.merge(reason, 1, Integer::sum));
                    }
                }
            }
            sizes.sort(Double::compare);
            double median = sizes.isEmpty() ? 0 : sizes.get(sizes.size() / 2);
            return new Report(video.getFileName().toString(), reader.width(), reader.height(), read, processed,
                    withFaces, faces, usable, median, rejected);
        }
    }
}
