package dev.lfr.loadtest.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lfr.loadtest.eval.SharedFacesAccess;
import java.nio.file.Files;
import java.nio.file.Path;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The unlabelled frame sources on real files, and the report's latency percentiles on a hand-made histogram. */
class FrameSourcesTest {

    @Test
    void videoFramesLoopAndCamerasStartAtDifferentFrames() throws Exception {
        Path video = SharedFacesAccess.require("facenet_pytorch/_video/walking_pedestrians.mp4");
        VideoFrames frames = new VideoFrames(video, 20);
        ReplayFrame a = frames.next("cam-1", 0, 0);
        assertThat(a.width()).isEqualTo(1920);
        assertThat(a.height()).isEqualTo(1080);
        assertThat(a.faces()).isEmpty(); // unlabelled
        assertThat(a.jpeg()).startsWith(0xFF, 0xD8);
        assertThat(frames.next("cam-1", 20, 0).jpeg()).isEqualTo(a.jpeg()); // loops after 20 frames
        assertThat(frames.next("cam-2", 0, 0).jpeg()).isNotEqualTo(a.jpeg());
    }

    @Test
    void imageFoldersSendTheFilesAsTheyAreAndSkipWhatIsNotAnImage(@TempDir Path dir) throws Exception {
        Path lfw = SharedFacesAccess.require("lfw");
        byte[] zico = Files.readAllBytes(lfw.resolve("Zico/Zico_0001.jpg"));
        Files.write(dir.resolve("a.jpg"), zico);
        Files.write(dir.resolve("b.jpg"), new byte[] {1, 2, 3});
        ImageFolderFrames frames = new ImageFolderFrames(dir, 10);
        ReplayFrame f = frames.next("cam-1", 5, 0);
        assertThat(f.jpeg()).isEqualTo(zico);
        assertThat(f.width()).isEqualTo(250);
        assertThatThrownBy(() -> new ImageFolderFrames(dir.resolve("none"), 10))
                .isInstanceOf(java.io.IOException.class);
    }

    @Test
    void latencyPercentilesOfOneToAHundredMilliseconds() {
        Histogram h = new Histogram(3_600_000L, 3);
        for (int ms = 1; ms <= 100; ms++) {
            h.recordValue(ms);
        }
        assertThat(ReplayReport.Latency.of(h)).isEqualTo(new ReplayReport.Latency(100, 50L, 90L, 99L, 100L));
        assertThat(ReplayReport.Latency.of(new Histogram(3))).isEqualTo(new ReplayReport.Latency(0, null, null, null, null));
        assertThat(ReplayReport.fields(ReplayReport.Latency.of(new Histogram(3)))).containsEntry("p99_ms", null);
    }
}
