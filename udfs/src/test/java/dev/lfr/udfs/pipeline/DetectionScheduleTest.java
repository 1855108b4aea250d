package dev.lfr.udfs.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which frames of a camera the detector runs on. */
class DetectionScheduleTest {
    private static List<Boolean> due(DetectionSchedule s, String camera, int frames) {
        List<Boolean> out = new ArrayList<>();
        for (int i = 0; i < frames; i++) {
            out.add(s.due(camera));
        }
        return out;
    }

    /** The frames of one camera the detector runs on, by index. */
    private static List<Integer> detected(DetectionSchedule s, String camera, int frames) {
        List<Integer> out = new ArrayList<>();
        List<Boolean> due = due(s, camera, frames);
        for (int i = 0; i < frames; i++) {
            if (due.get(i)) {
                out.add(i);
            }
        }
        return out;
    }

    @Test
    void theFirstFrameIsDetectedAndThenEveryNthInTheCamerasPhase() {
        for (int camera = 1; camera <= 12; camera++) {
            List<Integer> frames = detected(new DetectionSchedule(new DetectionSchedule.Config(3)), "cam-" + camera, 30);
            assertThat(frames.get(0)).isZero();
            assertThat(frames.get(1)).as("the phase: within 3 frames of the first").isBetween(1, 3);
            for (int i = 2; i < frames.size(); i++) {
                assertThat(frames.get(i) - frames.get(i - 1)).isEqualTo(3);
            }
        }
    }

    @Test
    void camerasStartedTogetherAreDetectedOnDifferentTicks() {
        DetectionSchedule s = new DetectionSchedule(new DetectionSchedule.Config(3));
        int[] perTick = new int[30];
        for (int camera = 1; camera <= 12; camera++) {
            for (int frame : detected(s, "cam-" + camera, 30)) {
                perTick[frame]++;
            }
        }
        assertThat(perTick[0]).as("every camera's first frame").isEqualTo(12);
        for (int tick = 10; tick < 30; tick++) {
            assertThat(perTick[tick]).as("tick %d: about a third of the cameras, not all or none", tick).isBetween(2, 6);
        }
    }

    @Test
    void camerasAreCountedApart() {
        DetectionSchedule s = new DetectionSchedule(new DetectionSchedule.Config(2));
        List<Integer> alone = detected(new DetectionSchedule(new DetectionSchedule.Config(2)), "cam-1", 10);
        List<Boolean> interleaved = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            interleaved.add(s.due("cam-1"));
            s.due("cam-2"); // another camera's frames do not move cam-1's count
        }
        for (int i = 0; i < 10; i++) {
            assertThat(interleaved.get(i)).isEqualTo(alone.contains(i));
        }
    }

    @Test
    void aForgottenCameraIsDetectedOnItsNextFrame() {
        DetectionSchedule s = new DetectionSchedule(new DetectionSchedule.Config(4));
        List<Integer> fresh = detected(new DetectionSchedule(new DetectionSchedule.Config(4)), "cam-1", 9);
        assertThat(s.due("cam-1")).isTrue();
        s.forget("cam-1"); // the detected frame failed
        assertThat(detected(s, "cam-1", 9)).as("counted afresh").isEqualTo(fresh);
    }

    @Test
    void everyFrameDetectsEveryFrame() {
        DetectionSchedule s = new DetectionSchedule(DetectionSchedule.Config.everyFrame());
        assertThat(due(s, "cam-1", 5)).containsOnly(true);
    }

    @Test
    void anIntervalOutOfRangeIsRefused() {
        for (int every : new int[] {0, -1, DetectionSchedule.MAX_EVERY + 1}) {
            assertThatThrownBy(() -> new DetectionSchedule.Config(every)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("every 1 to 30 frames");
        }
    }

    @Test
    void aFloodOfCameraIdsIsForgottenOldestFirst() {
        CameraMemory<int[]> memory = new CameraMemory<>();
        for (int i = 0; i < CameraMemory.MAX_CAMERAS + 500; i++) {
            memory.of("cam-" + i, () -> new int[1]);
        }
        assertThat(memory.size()).isEqualTo(CameraMemory.MAX_CAMERAS);
        int[] fresh = memory.of("cam-0", () -> new int[] {7});
        assertThat(fresh[0]).as("cam-0 was forgotten first").isEqualTo(7);
    }
}
