package dev.lfr.udfs.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lfr.udfs.embed.FaceDescriptor;
import dev.lfr.udfs.image.FrameImage;
import dev.lfr.udfs.image.ImageDecoder;
import dev.lfr.udfs.model.CalibrationRanges;
import dev.lfr.udfs.model.Int8Quantizer;
import dev.lfr.udfs.model.ModelStore;
import dev.lfr.udfs.testing.TestData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The 8-bit twin of fr-feature-512: how it is calibrated, and that it describes real faces as its float model does. */
class Int8CalibrationTest {
    private static final String FLOAT = "fr-feature-512";
    private static final String INT8 = "fr-feature-512-int8";

    @Test
    void calibratingOnTheSamplePhotosRangesEveryConvolutionOfTheFloatModel() throws Exception {
        ModelStore models = TestData.models();
        Int8Calibration.Result r = Int8Calibration.calibrate(models, FLOAT, models.samples());
        byte[] model = models.bytes(FLOAT);
        assertThat(r.faces()).isGreaterThanOrEqualTo(10);
        assertThat(r.ranges().ranges().keySet()).containsExactlyInAnyOrderElementsOf(Int8Quantizer.calibratedTensors(model));
        assertThat(r.ranges().keepFloat()).isEqualTo(Int8Quantizer.sensitiveConvs(model));
        assertThat(r.ranges().fromSha256()).isEqualTo(models.manifest().model(FLOAT).sha256());
        assertThat(r.ranges().calibration()).startsWith(r.faces() + " usable faces of 6 photos");
        assertThatThrownBy(() -> Int8Calibration.calibrate(models, INT8, models.samples()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("already an 8-bit model");
    }

    /** Faces of the demo photos (the package's samples; LFW faces are checked in FaceEngineTest). */
    @Test
    void theEightBitEmbedderDescribesRealFacesAsTheFloatOneDoes() throws Exception {
        List<FaceDescriptor> floats = new ArrayList<>();
        List<FaceDescriptor> ints = new ArrayList<>();
        ImageDecoder decoder = new ImageDecoder();
        try (FaceEngine f = FaceEngine.withDefaults(TestData.models(), FLOAT);
             FaceEngine q = FaceEngine.withDefaults(TestData.models(), INT8)) {
            for (Path photo : TestData.models().samples()) {
                try (FrameImage frame = decoder.decode(photo)) {
                    List<FaceResult> a = f.analyse(frame);
                    List<FaceResult> b = q.analyse(frame);
                    assertThat(b).hasSameSizeAs(a); // detection does not depend on the embedder
                    for (int i = 0; i < a.size(); i++) {
                        if (a.get(i).usable()) {
                            floats.add(a.get(i).descriptor().orElseThrow());
                            ints.add(b.get(i).descriptor().orElseThrow());
                        }
                    }
                }
            }
        }
        assertThat(floats).hasSizeGreaterThanOrEqualTo(10);
        double sum = 0;
        for (int i = 0; i < floats.size(); i++) {
            double c = floats.get(i).cosine(new FaceDescriptor(FLOAT, ints.get(i).vector()));
            assertThat(c).as("face %d", i).isGreaterThan(0.98);
            sum += c;
        }
        assertThat(sum / floats.size()).isGreaterThan(0.99);
        // and how alike two faces are barely moves (pairs of different people and of the same person alike)
        double worst = 0;
        for (int i = 0; i < floats.size(); i++) {
            for (int j = i + 1; j < floats.size(); j++) {
                worst = Math.max(worst, Math.abs(floats.get(i).cosine(floats.get(j)) - ints.get(i).cosine(ints.get(j))));
            }
        }
        assertThat(worst).isLessThan(0.04);
    }

    /** The committed ranges are reproducible with the command the catalogue names (CI has the shared data). */
    @Test
    void theCommittedRangesAreWhatTheCalibrationCommandGives() throws Exception {
        List<Path> photos = new ArrayList<>();
        for (String folder : List.of("dlib", "faceapi_js_bbt", "facenet_pytorch", "insightface")) {
            try (Stream<Path> s = Files.walk(TestData.requireShared(folder))) {
                s.filter(p -> p.getFileName().toString().toLowerCase(java.util.Locale.ROOT).matches(".*\\.(jpe?g|png)"))
                        .sorted().forEach(photos::add);
            }
        }
        CalibrationRanges committed = CalibrationRanges.load(INT8);
        CalibrationRanges again = Int8Calibration.calibrate(TestData.models(), FLOAT, photos).ranges();
        assertThat(again.calibration()).isEqualTo(committed.calibration());
        assertThat(again.keepFloat()).isEqualTo(committed.keepFloat());
        assertThat(again.fromSha256()).isEqualTo(committed.fromSha256());
        assertThat(again.ranges().keySet()).isEqualTo(committed.ranges().keySet());
        for (Map.Entry<String, float[]> e : committed.ranges().entrySet()) {
            float[] a = again.ranges().get(e.getKey());
            float width = e.getValue()[1] - e.getValue()[0];
            // floating point may differ between CPUs; a 5% clipping step must not
            assertThat(Math.abs(a[0] - e.getValue()[0]) + Math.abs(a[1] - e.getValue()[1])).as(e.getKey())
                    .isLessThan(0.02f * width);
        }
    }
}
