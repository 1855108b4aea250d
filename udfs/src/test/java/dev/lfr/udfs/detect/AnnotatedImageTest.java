package dev.lfr.udfs.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imread;

import dev.lfr.udfs.image.FrameImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import org.bytedeco.javacpp.indexer.UByteIndexer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What `./lfr detect --annotate` draws, on a black frame: no model needed. */
class AnnotatedImageTest {
    private static final List<Detection> ONE_FACE =
            List.of(new Detection(new Box(10, 10, 50, 50), 0.9, Collections.nCopies(6, new Point(30, 30))));

    private static int[] bgr(Mat image, int x, int y) {
        UByteIndexer px = image.createIndexer();
        return new int[] {px.get(y, x, 0), px.get(y, x, 1), px.get(y, x, 2)};
    }

    @Test
    void boxesAreGreenKeypointsRedAndTheRestUntouched(@TempDir Path dir) throws IOException {
        Path out = dir.resolve("faces.png");
        try (FrameImage frame = FrameImage.wrap(new Mat(100, 100, CV_8UC3, new Scalar(0, 0, 0, 0)))) {
            AnnotatedImage.write(frame, ONE_FACE, out);
            assertThat(bgr(frame.mat(), 10, 30)).as("the frame itself is not drawn on").containsExactly(0, 0, 0);
        }
        Mat written = imread(out.toString());
        assertThat(written.cols()).isEqualTo(100);
        assertThat(bgr(written, 10, 30)).as("the box's left edge").containsExactly(0, 255, 0);
        assertThat(bgr(written, 30, 30)).as("a keypoint").containsExactly(0, 0, 255);
        assertThat(bgr(written, 85, 85)).as("outside the face").containsExactly(0, 0, 0);
    }

    @Test
    void aFileThatCannotBeWrittenIsAnError(@TempDir Path dir) {
        try (FrameImage frame = FrameImage.wrap(new Mat(20, 20, CV_8UC3, new Scalar(0, 0, 0, 0)))) {
            assertThatThrownBy(() -> AnnotatedImage.write(frame, ONE_FACE, dir.resolve("no-such-folder").resolve("faces.png")))
                    .isInstanceOf(IOException.class).hasMessageContaining("cannot write");
        }
    }
}
