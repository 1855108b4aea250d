package dev.lfr.udfs.engine;

import ai.onnxruntime.OrtException;
import dev.lfr.udfs.align.FaceAligner;
import dev.lfr.udfs.embed.FaceEmbedder;
import dev.lfr.udfs.image.FrameImage;
import dev.lfr.udfs.image.ImageDecodeException;
import dev.lfr.udfs.image.ImageDecoder;
import dev.lfr.udfs.model.CalibrationRanges;
import dev.lfr.udfs.model.Int8Quantizer;
import dev.lfr.udfs.model.ModelInstaller;
import dev.lfr.udfs.model.ModelSpec;
import dev.lfr.udfs.model.ModelStore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Calibrates an 8-bit twin of a float embedder: the float embedder's own input for every usable face of some photos,
 * as it is and mirrored, run through the float model to find each convolution's range (see {@link Int8Quantizer}).
 * The committed ranges come from the photos of {@code ../shared/data} that are not LFW, so they are not the faces
 * accuracy is measured on; the sample photos of the model packages serve where that data is absent.
 */
public final class Int8Calibration {
    /** What the ranges were calibrated on, and how many faces. */
    public record Result(CalibrationRanges ranges, int faces) {}

    private Int8Calibration() {}

    public static Result calibrate(ModelStore models, String floatEmbedder, List<Path> photos)
            throws IOException, OrtException {
        ModelSpec spec = models.spec(floatEmbedder);
        if (ModelInstaller.INT8_BUILD.equals(spec.build())) {
            throw new IllegalArgumentException(floatEmbedder + " is already an 8-bit model");
        }
        List<float[]> inputs = new ArrayList<>();
        ImageDecoder decoder = new ImageDecoder();
        int faces = 0;
        try (FaceEngine engine = FaceEngine.withDefaults(models, floatEmbedder);
             FaceAligner aligner = new FaceAligner(models, floatEmbedder)) {
            FaceEmbedder embedder = engine.embedder();
            for (Path photo : photos) {
                FrameImage frame;
                try {
                    frame = decoder.decode(photo);
                } catch (ImageDecodeException e) {
                    throw new IOException(photo + ": cannot decode (" + e.getMessage() + ")", e);
                }
                try (frame) {
                    for (FaceResult face : engine.analyse(frame)) {
                        if (face.usable()) {
                            try (FrameImage chip = aligner.align(frame, face.detection()).chip()) {
                                inputs.add(embedder.modelInput(chip, false));
                                inputs.add(embedder.modelInput(chip, true));
                            }
                            faces++;
                        }
                    }
                }
            }
        }
        if (faces == 0) {
            throw new IllegalArgumentException("no usable face in the calibration photos");
        }
        ModelSpec.InputSpec in = spec.input();
        long[] shape = in.nchw() ? new long[] {1, in.channelCount(), in.height(), in.width()}
                : new long[] {1, in.height(), in.width(), in.channelCount()};
        byte[] model = models.bytes(floatEmbedder);
        String what = faces + " usable faces of " + photos.size() + " photos, each as it is and mirrored";
        return new Result(CalibrationRanges.of(floatEmbedder, ModelInstaller.sha256(model), what,
                Int8Quantizer.sensitiveConvs(model), Int8Quantizer.calibrate(model, inputs, shape)), faces);
    }
}
