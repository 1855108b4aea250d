package dev.lfr.loadtest.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Frames rendered ahead come back byte for byte, in order, with their ground truth stamped at sending. */
class PrerenderedFramesTest {
    /** A source whose frames name their camera and step; it records what was asked of it. */
    private static final class Numbered implements FrameSource {
        final List<String> asked = new ArrayList<>();
        boolean closed;

        @Override
        public ReplayFrame next(String camera, long step, long timeMs) {
            asked.add(camera + "@" + step);
            byte[] bytes = (camera + "@" + step + "-".repeat((int) step * 100)).getBytes(StandardCharsets.UTF_8);
            return new ReplayFrame(bytes, 640, 480, List.of(new TruthFace("w" + step, "p", camera, timeMs, 1, 2, 3, 4)));
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    @Test
    void framesComeBackAsRenderedWithTheSendingTime(@TempDir Path dir) throws Exception {
        Numbered source = new Numbered();
        Path file = dir.resolve("frames.bin");
        long[] progress = new long[1];
        PrerenderedFrames frames = PrerenderedFrames.render(source, List.of("a", "b"), 3, file, n -> progress[0] = n);
        assertThat(source.asked).containsExactly("a@0", "b@0", "a@1", "b@1", "a@2", "b@2");
        assertThat(progress[0]).isEqualTo(6);
        assertThat(frames.size()).isEqualTo(6);
        source.asked.clear();
        ReplayFrame f = frames.next("b", 2, 12_345);
        assertThat(new String(f.jpeg(), StandardCharsets.UTF_8)).isEqualTo("b@2" + "-".repeat(200));
        assertThat(f.width()).isEqualTo(640);
        assertThat(f.faces()).singleElement().satisfies(t -> {
            assertThat(t.timeMs()).isEqualTo(12_345);
            assertThat(t.walkId()).isEqualTo("w2");
            assertThat(t.camera()).isEqualTo("b");
        });
        assertThat(new String(frames.next("a", 0, 0).jpeg(), StandardCharsets.UTF_8)).isEqualTo("a@0");
        assertThat(source.asked).as("nothing is rendered while sending").isEmpty();
        assertThatThrownBy(() -> frames.next("a", 3, 0)).hasMessageContaining("no frame rendered for a at step 3");
        assertThatThrownBy(() -> frames.next("c", 0, 0)).isInstanceOf(IllegalArgumentException.class);
        frames.close();
        assertThat(source.closed).isTrue();
        assertThat(Files.exists(file)).isFalse();
    }
}
