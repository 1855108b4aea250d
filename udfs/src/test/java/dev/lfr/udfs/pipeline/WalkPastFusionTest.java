package dev.lfr.udfs.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.lfr.udfs.detect.Box;
import dev.lfr.udfs.track.TrackState;
import java.util.List;
import org.junit.jupiter.api.Test;

class WalkPastFusionTest {
    private long now = 0;
    private final WalkPastFusion fusion = new WalkPastFusion(() -> now);

    private static TrackState track(long id) {
        return new TrackState(id, new Box(0, 0, 10, 10), 0, 0, 1, 1, 1, 0, 1);
    }

    @Test
    void aTrackIsSearchedByTheMeanOfItsFacesFromItsSecondFaceOn() {
        assertThat(fusion.add("cam", 1, new float[] {1, 0, 0})).as("one face: its own descriptor is the search").isNull();
        float[] mean = fusion.add("cam", 1, new float[] {0, 1, 0});
        assertThat(mean).containsExactly(new float[] {(float) Math.sqrt(0.5), (float) Math.sqrt(0.5), 0}, within(1e-6f));
        float[] three = fusion.add("cam", 1, new float[] {0, 1, 0});
        double norm = 0;
        for (float x : three) {
            norm += x * x;
        }
        assertThat(norm).isCloseTo(1, within(1e-6));
        assertThat(three[1]).as("two of three faces point this way").isGreaterThan(three[0]);
    }

    @Test
    void whatIsHeldLooksLikeADescriptorSoThatALeakWouldBeFound() {
        float[] face = {0.6f, 0.8f, 0};
        fusion.add("cam", 1, face);
        fusion.add("cam", 1, face);
        assertThat(fusion.held("cam", 1)).as("the same pose twice: the passer-by's descriptor itself")
                .containsExactly(face, within(1e-6f));
        fusion.add("cam", 1, new float[] {0, 0, 1});
        assertThat(fusion.held("cam", 1)).as("the mean of three faces, not their sum")
                .containsExactly(new float[] {0.4f, 1.6f / 3, 1f / 3}, within(1e-6f));
    }

    @Test
    void tracksAndCamerasAreKeptApart() {
        fusion.add("cam-a", 1, new float[] {1, 0});
        fusion.add("cam-b", 1, new float[] {0, 1});
        assertThat(fusion.add("cam-a", 2, new float[] {0, 1})).as("another track of the same camera").isNull();
        assertThat(fusion.add("cam-a", 1, new float[] {1, 0})).containsExactly(1, 0);
        assertThat(fusion.tracksHeld()).isEqualTo(3);
    }

    @Test
    void aTrackThatEndsTakesItsDescriptorsWithIt() {
        fusion.add("cam", 1, new float[] {1, 0});
        fusion.add("cam", 2, new float[] {0, 1});
        fusion.retain("cam", List.of(track(2)));
        assertThat(fusion.tracksHeld()).isEqualTo(1);
        fusion.retain("cam", List.of());
        assertThat(fusion.tracksHeld()).isZero();
        assertThat(fusion.add("cam", 1, new float[] {1, 0})).as("starts again").isNull();
    }

    @Test
    void aSilentCamerasDescriptorsAreDroppedByTheNextCallOfAnyCamera() {
        fusion.add("silent", 1, new float[] {1, 0});
        now += WalkPastFusion.IDLE_NANOS - 1;
        fusion.add("busy", 1, new float[] {1, 0});
        assertThat(fusion.tracksHeld()).as("not idle long enough").isEqualTo(2);
        now += 2;
        fusion.add("busy", 1, new float[] {1, 0}); // within a second of the last sweep: not swept yet
        now += 1_000_000_000L;
        fusion.retain("busy", List.of(track(1)));
        assertThat(fusion.tracksHeld()).as("the silent camera's track is gone, the busy one's kept").isEqualTo(1);
    }

    @Test
    void withNoFrameAtAllTheDescriptorsAreDroppedWhenAskedOnceIdle() {
        fusion.add("cam-a", 1, new float[] {1, 0});
        fusion.add("cam-b", 1, new float[] {0, 1});
        now += WalkPastFusion.IDLE_NANOS - 1;
        fusion.dropIdle();
        assertThat(fusion.tracksHeld()).as("not idle long enough").isEqualTo(2);
        now += 1_000_000_000L;
        fusion.dropIdle();
        assertThat(fusion.tracksHeld()).isZero();
        assertThat(fusion.held("cam-a", 1)).isNull();
    }
}
