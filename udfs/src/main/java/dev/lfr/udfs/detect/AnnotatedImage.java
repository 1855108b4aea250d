package dev.lfr.udfs.detect;

import static org.bytedeco.opencv.global.opencv_imgcodecs.imwrite;
import static org.bytedeco.opencv.global.opencv_imgproc.LINE_AA;
import static org.bytedeco.opencv.global.opencv_imgproc.circle;
import static org.bytedeco.opencv.global.opencv_imgproc.rectangle;

import dev.lfr.udfs.image.FrameImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.Scalar;

/** A frame with its detections drawn on a copy: boxes in green, keypoints in red, for a person to check by eye. */
public final class AnnotatedImage {
    private AnnotatedImage() {}

    /** Writes the annotated copy to {@code out}, in the format its name ends in (.png, .jpg). */
    public static void write(FrameImage frame, List<Detection> faces, Path out) throws IOException {
        try (Mat canvas = frame.mat().clone(); Scalar green = new Scalar(0, 255, 0, 0); Scalar red = new Scalar(0, 0, 255, 0)) {
            int thickness = Math.max(2, frame.width() / 500);
            for (Detection d : faces) {
                try (Rect r = new Rect((int) d.box().x(), (int) d.box().y(), (int) d.box().width(), (int) d.box().height())) {
                    rectangle(canvas, r, green, thickness, LINE_AA, 0);
                }
                for (Point p : d.keypoints()) {
                    try (org.bytedeco.opencv.opencv_core.Point c = new org.bytedeco.opencv.opencv_core.Point((int) p.x(), (int) p.y())) {
                        circle(canvas, c, thickness + 1, red, -1, LINE_AA, 0);
                    }
                }
            }
            if (!imwrite(out.toString(), canvas)) {
                throw new IOException("cannot write " + out);
            }
        }
    }
}
