package dev.lfr.udfs.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lfr.udfs.detect.Box;
import dev.lfr.udfs.detect.FaceDetector;
import dev.lfr.udfs.detect.Tiling;
import dev.lfr.udfs.image.FrameImage;
import dev.lfr.udfs.testing.SmallFaces;
import dev.lfr.udfs.testing.TestData;
import dev.lfr.udfs.track.TrackState;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Tiles only where there is motion: which tiles a frame searches, and what the detector then finds. */
class MotionTilesTest {
    private static byte[] grey(int level) {
        byte[] t = new byte[MotionTiles.WIDTH * MotionTiles.HEIGHT];
        Arrays.fill(t, (byte) level);
        return t;
    }

    /** {@code level} over thumbnail pixels x0..x1 x y0..y1 (inclusive) of a grey 100 thumbnail. */
    private static byte[] patch(int x0, int x1, int y0, int y1, int level) {
        byte[] t = grey(100);
        for (int y = y0; y <= y1; y++) {
            Arrays.fill(t, y * MotionTiles.WIDTH + x0, y * MotionTiles.WIDTH + x1 + 1, (byte) level);
        }
        return t;
    }

    @Test
    void laysTilesOverWhatChangedAndOverTrackedFacesOnly() {
        MotionTiles motion = new MotionTiles(384, 0.25);
        List<Tiling.Region> all = Tiling.frame(384, 0.25, 1280, 720);
        assertThat(motion.tiles("cam", grey(100), 1280, 720, List.of())).as("a camera's first frame").isEqualTo(all);
        assertThat(motion.tiles("cam", grey(100), 1280, 720, List.of())).as("a still scene").isEmpty();

        // a passer-by: thumbnail pixels 38-41 x 20-23 are frame pixels 608-672 x 320-384, one tile centred there
        byte[] walker = patch(38, 41, 20, 23, 160);
        assertThat(motion.tiles("cam", walker, 1280, 720, List.of())).containsExactly(new Tiling.Region(448, 160, 384, 384));
        assertThat(motion.tiles("cam", walker, 1280, 720, List.of())).as("gone still").isEmpty();

        // lone changed pixels are noise
        byte[] noisy = walker.clone();
        noisy[5 * MotionTiles.WIDTH + 5] = 0;
        noisy[40 * MotionTiles.WIDTH + 70] = 0;
        assertThat(motion.tiles("cam", noisy, 1280, 720, List.of())).isEmpty();

        // a face standing still in the top left corner is searched where it is
        Box standing = new Box(100, 100, 40, 40);
        assertThat(motion.tiles("cam", noisy, 1280, 720, List.of(standing))).containsExactly(new Tiling.Region(0, 0, 384, 384));
        assertThat(motion.tiles("other", grey(100), 1280, 720, List.of())).as("cameras are apart").isEqualTo(all);
        motion.forget("cam");
        assertThat(motion.tiles("cam", noisy, 1280, 720, List.of())).as("after a failed frame").isEqualTo(all);
        assertThat(motion.tiles("small", grey(100), 320, 240, List.of())).as("a frame within one tile").isEmpty();
    }

    @Test
    void changeEverywhereSearchesTheWholeFramesTilesNeverMore() {
        MotionTiles motion = new MotionTiles(384, 0.25);
        motion.tiles("cam", grey(100), 1280, 720, List.of());
        byte[] checkerboard = grey(100);
        for (int y = 0; y < MotionTiles.HEIGHT; y += 4) {
            for (int x = 0; x < MotionTiles.WIDTH; x += 4) {
                checkerboard[y * MotionTiles.WIDTH + x] = (byte) 200;
                checkerboard[y * MotionTiles.WIDTH + x + 1] = (byte) 200;
            }
        }
        assertThat(motion.tiles("cam", checkerboard, 1280, 720, List.of())).isEqualTo(Tiling.frame(384, 0.25, 1280, 720));
    }

    @Test
    void patchesAreTheBoundsOfConnectedChangesAndOverlappingOnesMerge() {
        byte[] two = patch(0, 1, 0, 1, 200);
        Arrays.fill(two, 44 * MotionTiles.WIDTH + 70, 44 * MotionTiles.WIDTH + 73, (byte) 200);
        assertThat(MotionTiles.changedPatches(grey(100), two, 1280, 720))
                .containsExactlyInAnyOrder(new Box(0, 0, 32, 32), new Box(1120, 704, 48, 16));
        assertThat(MotionTiles.merged(List.of(new Box(0, 0, 10, 10), new Box(5, 5, 10, 10), new Box(50, 50, 1, 1))))
                .containsExactlyInAnyOrder(new Box(0, 0, 15, 15), new Box(50, 50, 1, 1));
    }

    /**
     * On real 40 px faces, which only tiles find: a camera's first frame searches every tile; faces that walk in are
     * found by the tiles around them alone; faces standing still are found again where they are tracked, and without
     * their tracks a still frame costs the whole-frame pass only.
     */
    @Test
    void findsSmallFacesThatWalkInWithFewerPasses() throws Exception {
        FramePipeline.Config config = FramePipeline.Config.defaults(TestData.models().dir(), TestData.models().defaultEmbedder())
                .withDetector(FaceDetector.Config.defaults().withTileSize(384));
        try (FramePipeline pipeline = new FramePipeline(TestData.models(), config);
             FrameImage empty = SmallFaces.frame(0); FrameImage three = SmallFaces.frame(3)) {
            FramePipeline.Faces first = pipeline.detect("cam", empty, List.of());
            assertThat(first.size()).isZero();
            int all = first.passes();
            assertThat(all).isEqualTo(1 + 7 * 4); // 1920x1080 at 384 px tiles

            FramePipeline.Faces walkedIn = pipeline.detect("cam", three, List.of());
            assertThat(walkedIn.size()).isEqualTo(3);
            assertThat(walkedIn.passes()).as("one tile around each face").isEqualTo(1 + 3);

            List<TrackState> tracked = walkedIn.detections().stream()
                    .map(d -> new TrackState(1, d.box(), 0, 0, 1, 1, 0, 0, 1)).toList();
            FramePipeline.Faces standing = pipeline.detect("cam", three, tracked);
            assertThat(standing.size()).isEqualTo(3);
            assertThat(standing.passes()).isEqualTo(1 + 3);

            List<TrackState> gone = tracked.stream().map(t -> new TrackState(t.id(), t.box(), 0, 0, 1, 1, 0, 2, 1))
                    .toList();
            assertThat(pipeline.detect("cam", three, gone).passes()).as("missed by the last two passes").isEqualTo(1);

            FramePipeline.Faces untracked = pipeline.detect("cam", three, List.of());
            assertThat(untracked.passes()).isEqualTo(1);
            assertThat(untracked.size()).isLessThan(3);
        }
    }
}
