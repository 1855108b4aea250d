package dev.lfr.loadtest.replay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lfr.udfs.detect.Box;
import dev.lfr.udfs.detect.Detection;
import dev.lfr.udfs.detect.FaceDetector;
import dev.lfr.udfs.detect.IouMatching;
import dev.lfr.udfs.engine.FaceEngine;
import dev.lfr.udfs.engine.FaceResult;
import dev.lfr.udfs.image.FrameImage;
import dev.lfr.udfs.image.ImageDecoder;
import dev.lfr.udfs.model.ModelStore;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Synthetic scenes from the real faces of the sample photos: the ground truth must say where the detector finds them. */
class WalkPastScenesTest {

    @Test
    void groundTruthBoxesAreWhereTheDetectorFindsTheFacesAndWalkersTakeTurns() throws Exception {
        ModelStore models = ModelStore.ensureDefault();
        ImageDecoder decoder = new ImageDecoder();
        List<WalkPastScenes.Person> people = new ArrayList<>();
        try (FaceEngine engine = FaceEngine.withDefaults(models, "fr-feature-512");
             FrameImage photo = decoder.decode(models.samples().get(0))) {
            int n = 0;
            for (FaceResult r : engine.analyse(photo)) {
                if (r.usable()) {
                    people.add(new WalkPastScenes.Person("p" + (n++),
                            decoder.decode(WalkPastScenes.crop(photo, r.detection().box()))));
                }
            }
        }
        assertThat(people).hasSizeGreaterThanOrEqualTo(2);
        int steps = 6;
        try (WalkPastScenes scenes = new WalkPastScenes(people, List.of(), 1280, 720, 4, steps, 40, 200, 7);
             FaceDetector detector = new FaceDetector(models, FaceDetector.Config.defaults())) {
            Set<String> walks = new HashSet<>();
            int found = 0;
            int shown = 0;
            for (int step = 0; step < 3 * steps; step++) {
                ReplayFrame f = scenes.next("cam-1", step, 1000L * step);
                assertThat(f.faces()).hasSize(4);
                assertThat(f.width()).isEqualTo(1280);
                List<Box> truth = new ArrayList<>();
                for (TruthFace t : f.faces()) {
                    assertThat(t.width()).isBetween(40, 200);
                    assertThat(t.x()).isBetween(0, 1280 - t.width());
                    assertThat(t.timeMs()).isEqualTo(1000L * step);
                    truth.add(new Box(t.x(), t.y(), t.width(), t.height()));
                    walks.add(t.walkId());
                }
                try (FrameImage img = decoder.decode(f.jpeg())) {
                    List<Box> detected = detector.detect(img).stream().map(Detection::box).toList();
                    int[] match = IouMatching.match(truth, detected, 0.3);
                    shown += truth.size();
                    for (int m : match) {
                        found += m >= 0 ? 1 : 0;
                    }
                }
            }
            // each of the 4 walkers completes a walk-past every 6 steps: 3 rounds (staggered) = 12 or 13 walk-pasts
            assertThat(walks.size()).isBetween(12, 16);
            assertThat((double) found / shown).as("ground-truth faces the detector finds").isGreaterThan(0.8);
        } finally {
            people.forEach(p -> p.crop().close());
        }
    }

    @Test
    void aWalkPastShowsThePersonsPhotosInTurn() throws Exception {
        ImageDecoder decoder = new ImageDecoder();
        try (org.bytedeco.opencv.opencv_core.Mat white = new org.bytedeco.opencv.opencv_core.Mat(100, 100,
                org.bytedeco.opencv.global.opencv_core.CV_8UC3, new org.bytedeco.opencv.opencv_core.Scalar(255, 255, 255, 0));
             org.bytedeco.opencv.opencv_core.Mat black = new org.bytedeco.opencv.opencv_core.Mat(100, 100,
                org.bytedeco.opencv.global.opencv_core.CV_8UC3, new org.bytedeco.opencv.opencv_core.Scalar(0, 0, 0, 0));
             FrameImage first = FrameImage.wrap(white.clone());
             FrameImage second = FrameImage.wrap(black.clone());
             WalkPastScenes scenes = new WalkPastScenes(List.of(new WalkPastScenes.Person("p", List.of(first, second))),
                     List.of(), 640, 360, 1, 4, 60, 100, 7)) {
            List<Double> centre = new ArrayList<>();
            for (int step = 0; step < 4; step++) {
                ReplayFrame f = scenes.next("cam-1", step, step);
                TruthFace t = f.faces().get(0);
                try (FrameImage img = decoder.decode(f.jpeg())) {
                    centre.add((double) (img.mat().ptr(t.y() + t.height() / 2, t.x() + t.width() / 2).get() & 0xff));
                }
            }
            // the first half of the walk shows the first photo, the second half the second
            assertThat(centre.get(0)).isGreaterThan(120);
            assertThat(centre.get(1)).isGreaterThan(120);
            assertThat(centre.get(2)).isLessThan(60);
            assertThat(centre.get(3)).isLessThan(60);
        }
    }
}
