package dev.lfr.loadtest.eval;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lfr.udfs.detect.Box;
import dev.lfr.udfs.detect.FaceDetector;
import dev.lfr.udfs.engine.FaceEngine;
import dev.lfr.udfs.quality.QualityGate;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Accuracy guards on real faces from ../shared/data, small enough for every CI run. The full numbers (all ten LFW
 * folds, both embedders) come from {@code ./lfr eval pairs} and are recorded in docs/benchmarks.md.
 */
class RealFacesAccuracyTest {

    /** Three of LFW's ten folds (about 680 pairs); the floors sit below the measured 10-fold means by the fold spread. */
    @ParameterizedTest
    @CsvSource({"fr-feature-512, 0.985", "dlib-resnet-128, 0.980"})
    void lfwPairVerificationOnThreeFolds(String embedder, double floor) throws Exception {
        Path lfw = SharedFaces.require("lfw");
        List<LfwPairs.Pair> pairs = LfwPairs.read(lfw).stream().filter(p -> p.fold() < 3).toList();
        assertThat(pairs).hasSizeGreaterThan(600);
        PairVerification.Report r = PairVerification.run(SharedFaces.models(), embedder, pairs, i -> { });
        System.out.printf("LFW folds 0-2, %s: %.4f (%d pairs)%n", embedder, r.result().meanAccuracy(), r.result().pairs());
        assertThat(r.noFace()).isZero();
        assertThat(r.result().meanAccuracy()).isGreaterThanOrEqualTo(floor);
    }

    @Test
    void dlibGroupPhotosRecallWithAndWithoutTiling() throws Exception {
        Path dlib = SharedFaces.require("dlib");
        Map<String, List<Box>> truth = new LinkedHashMap<>(ImglabBoxes.read(dlib.resolve("_meta/training.xml")));
        truth.putAll(ImglabBoxes.read(dlib.resolve("_meta/testing.xml")));
        assertThat(truth).hasSize(9);
        try (FaceDetector whole = new FaceDetector(SharedFaces.models(), FaceDetector.Config.defaults());
             FaceDetector tiled = new FaceDetector(SharedFaces.models(), FaceDetector.Config.defaults().withTileSize(256))) {
            DetectionEvaluation.Report w = DetectionEvaluation.run(whole, dlib.resolve("_group"), truth);
            DetectionEvaluation.Report t = DetectionEvaluation.run(tiled, dlib.resolve("_group"), truth);
            assertThat(w.faces()).isEqualTo(43);
            assertThat(w.recall()).isGreaterThanOrEqualTo(0.95);
            assertThat(t.recall()).isEqualTo(1.0);
            assertThat(w.falsePerImage()).isLessThanOrEqualTo(0.2);
            assertThat(t.falsePerImage()).isLessThanOrEqualTo(0.2);
        }
    }

    @Test
    void walkingPedestriansHaveUsableFaces() throws Exception {
        VideoFaceSurvey.Report r = survey("facenet_pytorch/_video/walking_pedestrians.mp4", 640, 5);
        assertThat(r.width()).isEqualTo(1920);
        assertThat(r.framesProcessed()).isGreaterThan(15);
        assertThat(r.framesWithFaces()).isGreaterThanOrEqualTo(r.framesProcessed() / 2);
        assertThat(r.usableFaces()).isGreaterThan(0);
    }

    @Test
    void overheadCctvFacesAreTooSmallToPassTheGate() throws Exception {
        VideoFaceSurvey.Report r = survey("opencv_doc_debian/_video/vtest.avi", 256, 20);
        assertThat(r.framesProcessed()).isGreaterThan(30);
        assertThat(r.usableFaces()).isZero();
    }

    private static VideoFaceSurvey.Report survey(String video, int tile, int every) throws Exception {
        Path file = SharedFaces.require(video);
        try (FaceEngine e = new FaceEngine(SharedFaces.models(), "fr-feature-512",
                FaceDetector.Config.defaults().withTileSize(tile), QualityGate.defaults())) {
            VideoFaceSurvey.Report r = VideoFaceSurvey.run(e, file, every);
            System.out.println(file.getFileName() + ": " + r);
            return r;
        }
    }
}
