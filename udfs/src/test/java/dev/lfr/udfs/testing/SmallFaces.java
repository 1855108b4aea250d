package dev.lfr.udfs.testing;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_AREA;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

import dev.lfr.udfs.image.FrameImage;
import dev.lfr.udfs.image.ImageDecoder;
import java.nio.file.Path;
import java.util.List;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_core.Size;

/**
 * A 1920x1080 frame with real LFW faces shrunk to about 40 px (too small for one whole-frame detector pass, found by
 * 384 px tiles), on a plain background, at {@link #X} and y = {@link #Y}.
 */
public final class SmallFaces {
    /** Where each face's 90 px crop starts: faces are about 25 px in from there. */
    public static final int[] X = {300, 800, 1300};
    public static final int Y = 500;
    private static final int CROP = 90;

    private SmallFaces() {}

    /** The frame with the first {@code faces} of the three people (0: the bare background). */
    public static FrameImage frame(int faces) throws Exception {
        Path lfw = TestData.requireShared("lfw");
        List<Path> people = List.of(lfw.resolve("Zico/Zico_0001.jpg"), lfw.resolve("Aaron_Eckhart/Aaron_Eckhart_0001.jpg"),
                lfw.resolve("Abdoulaye_Wade/Abdoulaye_Wade_0001.jpg"));
        ImageDecoder decoder = new ImageDecoder();
        try (Mat canvas = new Mat(1080, 1920, CV_8UC3, new Scalar(90, 100, 110, 0))) {
            for (int i = 0; i < faces; i++) {
                // LFW faces are about 110 px in a 250 px image: scale 250 -> 90 px makes them about 40 px
                try (FrameImage face = decoder.decode(people.get(i)); Mat small = new Mat(); Size size = new Size(CROP, CROP);
                     Rect at = new Rect(X[i], Y, CROP, CROP); Mat dst = new Mat(canvas, at)) {
                    resize(face.mat(), small, size, 0, 0, INTER_AREA);
                    small.copyTo(dst);
                }
            }
            return FrameImage.wrap(canvas.clone());
        }
    }
}
