package dev.lfr.udfs.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;

import dev.lfr.udfs.image.FrameImage;
import dev.lfr.udfs.image.ImageDecoder;
import dev.lfr.udfs.testing.SmallFaces;
import dev.lfr.udfs.testing.TestData;
import java.nio.file.Path;
import java.util.List;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.junit.jupiter.api.Test;

class FaceDetectorTest {
    private final ImageDecoder decoder = new ImageDecoder();

    @Test
    void findsTheFacesOfASamplePhotoWithKeypointsInsideTheirBoxes() throws Exception {
        try (FaceDetector detector = new FaceDetector(TestData.models(), FaceDetector.Config.defaults());
             FrameImage img = decoder.decode(TestData.models().samples().get(0))) {
            List<Detection> faces = detector.detect(img);
            assertThat(faces).hasSize(3);
            for (Detection d : faces) {
                assertThat(d.score()).isBetween(0.5, 1.0);
                assertThat(d.box().width()).isBetween(100.0, 300.0);
                for (int k = 0; k < 4; k++) { // eyes, nose, mouth lie inside the box; ears may not
                    Point p = d.keypoint(k);
                    assertThat(p.x()).isBetween(d.box().x(), d.box().x() + d.box().width());
                    assertThat(p.y()).isBetween(d.box().y(), d.box().y() + d.box().height());
                }
                // the subject's right eye is on the image's left, both above the mouth
                assertThat(d.keypoint(Detection.RIGHT_EYE).x()).isLessThan(d.keypoint(Detection.LEFT_EYE).x());
                assertThat(d.keypoint(Detection.RIGHT_EYE).y()).isLessThan(d.keypoint(Detection.MOUTH_CENTRE).y());
            }
            assertThat(faces).isSortedAccordingTo((a, b) -> Double.compare(b.score(), a.score()));
        }
    }

    @Test
    void blankFrameHasNoFaces() throws Exception {
        try (FaceDetector detector = new FaceDetector(TestData.models(), FaceDetector.Config.defaults().withTileSize(384));
             Mat grey = new Mat(1080, 1920, CV_8UC3, new Scalar(128, 128, 128, 0))) {
            assertThat(detector.detect(FrameImage.wrap(grey.clone()))).isEmpty();
        }
    }

    @Test
    void higherMinimumScoreNeverFindsMore() throws Exception {
        try (FaceDetector loose = new FaceDetector(TestData.models(), FaceDetector.Config.defaults().withMinScore(0.3));
             FaceDetector strict = new FaceDetector(TestData.models(), FaceDetector.Config.defaults().withMinScore(0.9))) {
            for (Path sample : TestData.models().samples()) {
                try (FrameImage img = decoder.decode(sample)) {
                    assertThat(strict.detect(img).size()).isLessThanOrEqualTo(loose.detect(img).size());
                }
            }
        }
    }

    /**
     * Real faces shrunk to about 40 px and placed in a 1920x1080 frame: one whole-frame pass cannot see them
     * (BlazeFace needs faces of about a tenth of its input); tiling finds them.
     */
    @Test
    void tilingFinds40PixelFacesInA1080pFrame() throws Exception {
        try (FrameImage frame = SmallFaces.frame(3);
             FaceDetector whole = new FaceDetector(TestData.models(), FaceDetector.Config.defaults());
             FaceDetector tiled = new FaceDetector(TestData.models(), FaceDetector.Config.defaults().withTileSize(384))) {
            List<Detection> found = tiled.detect(frame);
            assertThat(found).hasSize(3);
            assertThat(found).allSatisfy(d -> assertThat(d.box().width()).isBetween(30.0, 60.0));
            assertThat(whole.detect(frame).size()).isLessThan(3);
        }
    }

    /** Only the tiles asked for are searched, and the passes say how many ran. */
    @Test
    void searchesOnlyTheTilesItIsGivenAndCountsThePasses() throws Exception {
        try (FrameImage frame = SmallFaces.frame(3);
             FaceDetector tiled = new FaceDetector(TestData.models(), FaceDetector.Config.defaults().withTileSize(384))) {
            List<Tiling.Region> all = tiled.tiles(frame.width(), frame.height());
            assertThat(tiled.detect(frame, all).passes()).isEqualTo(1 + all.size()).isEqualTo(29);
            assertThat(tiled.detect(frame, List.of()).passes()).isEqualTo(1);

            // one tile around the first face; one wholly outside the frame, which costs nothing
            List<Tiling.Region> first = List.of(new Tiling.Region(SmallFaces.X[0] - 100, SmallFaces.Y - 100, 384, 384),
                    new Tiling.Region(5000, 5000, 384, 384));
            FaceDetector.Found found = tiled.detect(frame, first);
            assertThat(found.passes()).isEqualTo(2);
            assertThat(found.faces()).anySatisfy(d -> assertThat(d.box().centre().x()).isBetween(300.0, 390.0));
        }
    }

    @Test
    void anchorsFollowTheTwoGrids() {
        assertThat(BlazeFaceAnchors.CENTRES).hasSize(896 * 2);
        assertThat(BlazeFaceAnchors.CENTRES[0]).isEqualTo(0.5f / 16);
        assertThat(BlazeFaceAnchors.CENTRES[2]).isEqualTo(0.5f / 16); // two anchors per cell in the 16x16 grid
        assertThat(BlazeFaceAnchors.CENTRES[512 * 2]).isEqualTo(0.5f / 8);
        assertThat(BlazeFaceAnchors.CENTRES[895 * 2 + 1]).isEqualTo(7.5f / 8);
    }

    @Test
    void weightedNmsMergesOverlapsAndKeepsSeparateFaces() {
        Detection a = detection(100, 100, 50, 0.9);
        Detection b = detection(104, 100, 50, 0.6);
        Detection far = detection(400, 100, 50, 0.7);
        List<Detection> out = WeightedNms.apply(List.of(b, far, a), 0.3);
        assertThat(out).hasSize(2);
        assertThat(out.get(0).score()).isEqualTo(0.9);
        // score-weighted mean of x: (0.9*100 + 0.6*104) / 1.5
        assertThat(out.get(0).box().x()).isCloseTo(101.6, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(out.get(1).box().x()).isEqualTo(400);
    }

    private static Detection detection(double x, double y, double size, double score) {
        List<Point> kps = java.util.Collections.nCopies(6, new Point(x + size / 2, y + size / 2));
        return new Detection(new Box(x, y, size, size), score, kps);
    }
}
