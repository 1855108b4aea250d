package dev.lfr.loadtest.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class ModelOnlyBoundTest {
    private final ModelOnlyBound bound = new ModelOnlyBound(6, 1, 4, 2);

    @Test
    void countsTheDetectorOnlyOnTheFramesItRanOn() {
        // every frame detected, one face embedded: 10 ms a frame on each of two cores
        assertThat(bound.describe(1, null, 1, 100.0).boundFps()).isCloseTo(200, within(1e-9));
        // detected one frame in three: 2 + 4 ms a frame
        ModelOnlyBound.Description scheduled = bound.describe(1 / 3.0, null, 1, 100.0);
        assertThat(scheduled.boundFps()).isCloseTo(2000 / 6.0, within(1e-9));
        assertThat(scheduled.jobFpsOverBound()).isCloseTo(0.3, within(1e-9));
    }

    @Test
    void countsTheDetectorPassesTheJobRanWhereItCountedThem() {
        // tiles searched where there was motion: 2.5 passes a detected frame, so 15 + 4 ms a frame
        ModelOnlyBound.Description tiled = bound.describe(1, 2.5, 1, 100.0);
        assertThat(tiled.detectorPassesPerFrame()).isEqualTo(2.5);
        assertThat(tiled.boundFps()).isCloseTo(2000 / 19.0, within(1e-9));
    }

    @Test
    void ofTwoMeasurementsEachModelKeepsItsFasterRun() {
        ModelOnlyBound later = new ModelOnlyBound(7, 1, 3.5, 2).fasterOf(bound);
        assertThat(later.detectMs()).isEqualTo(6);
        assertThat(later.perFaceMs()).isEqualTo(3.5);
        assertThat(later.passes()).isEqualTo(1);
        assertThat(later.sessions()).isEqualTo(2);
    }

    @Test
    void moreSubtasksThanCoresAreTimedAndCountedAsManyAsTheCores() {
        assertThat(ModelOnlyBound.sessions(8, 2)).as("eight subtasks share two cores").isEqualTo(2);
        assertThat(ModelOnlyBound.sessions(1, 2)).isEqualTo(1);
        assertThatThrownBy(() -> ModelOnlyBound.sessions(0, 2)).isInstanceOf(IllegalArgumentException.class);
        // the bound counts the sessions it timed: one fewer halves it
        assertThat(new ModelOnlyBound(6, 1, 4, 1).describe(1, null, 1, 100.0).boundFps()).isCloseTo(100, within(1e-9));
        assertThat(new ModelOnlyBound(6, 1, 4, 1).describe(1, null, 1, 100.0).parallelism()).isEqualTo(1);
    }

    @Test
    void framesWithNoModelWorkHaveNoBoundRatherThanAnInfiniteOne() {
        ModelOnlyBound.Description still = bound.describe(0, null, 0, 100.0);
        assertThat(still.boundFps()).isNull();
        assertThat(still.jobFpsOverBound()).isNull();
    }
}
