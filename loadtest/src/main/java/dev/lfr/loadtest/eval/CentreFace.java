package dev.lfr.loadtest.eval;

import dev.lfr.udfs.detect.Point;
import dev.lfr.udfs.embed.FaceDescriptor;
import dev.lfr.udfs.engine.FaceEngine;
import dev.lfr.udfs.engine.FaceResult;
import dev.lfr.udfs.image.FrameImage;
import dev.lfr.udfs.image.ImageDecodeException;
import dev.lfr.udfs.image.ImageDecoder;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;

/**
 * The labelled face of a dataset photo: LFW and similar sets centre the labelled person, and other faces in the
 * photo are bystanders. The detection nearest the centre is the labelled face; when it fails the engine's quality
 * gate the photo yields nothing, rather than a bystander's face under the subject's name. Empty too when the image
 * cannot be decoded.
 */
public final class CentreFace {
    private CentreFace() {}

    /** The face nearest the centre of {@code frame} when it passes the engine's quality gate; else empty. */
    public static Optional<FaceResult> labelled(FaceEngine engine, FrameImage frame) throws ai.onnxruntime.OrtException {
        return nearest(engine.analyse(frame), frame).filter(FaceResult::usable);
    }

    private static Optional<FaceResult> nearest(java.util.List<FaceResult> faces, FrameImage frame) {
        Point centre = new Point(frame.width() / 2.0, frame.height() / 2.0);
        return faces.stream().min(Comparator.comparingDouble(r -> r.detection().box().centre().distanceTo(centre)));
    }

    static Optional<FaceDescriptor> descriptor(FaceEngine engine, ImageDecoder decoder, Path image)
            throws ai.onnxruntime.OrtException, IOException {
        return analyse(engine, decoder, image).descriptor();
    }

    /** The centre face's descriptor and quality utility (0 without one), and how many faces passed the gate. */
    record Found(Optional<FaceDescriptor> descriptor, double utility, int usableFaces) {}

    static Found analyse(FaceEngine engine, ImageDecoder decoder, Path image)
            throws ai.onnxruntime.OrtException, IOException {
        try (FrameImage frame = decoder.decode(image)) {
            java.util.List<FaceResult> faces = engine.analyse(frame);
            Optional<FaceResult> nearest = nearest(faces, frame);
            Optional<FaceDescriptor> labelled = nearest.flatMap(FaceResult::descriptor);
            return new Found(labelled, labelled.isPresent() ? nearest.get().quality().utility() : 0,
                    (int) faces.stream().filter(FaceResult::usable).count());
        } catch (ImageDecodeException e) {
            return new Found(Optional.empty(), 0, 0);
        }
    }
}
