package dev.lfr.loadtest.replay;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMWRITE_JPEG_QUALITY;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imencode;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_AREA;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

import dev.lfr.udfs.image.FrameImage;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_core.Size;

/**
 * Synthetic walk-past frames: a real face crop moves across a plain background from left to right over a walk-past,
 * growing as if approaching the camera. For demos and load tests; the ground truth (who, when) is known to the
 * caller, never to the job. Not thread-safe.
 */
public final class WalkPastComposer {
    private final int width;
    private final int height;

    public WalkPastComposer(int width, int height) {
        this.width = width;
        this.height = height;
    }

    /**
     * Frame {@code step} of {@code steps} of a walk-past of {@code face} (a BGR crop around one face), as JPEG.
     * The crop is scaled from {@code minSide} to {@code maxSide} pixels on its longer side.
     */
    public byte[] frame(FrameImage face, int step, int steps, int minSide, int maxSide) {
        double t = steps <= 1 ? 0.5 : (double) step / (steps - 1);
        int side = (int) Math.round(minSide + t * (maxSide - minSide));
        double scale = (double) side / Math.max(face.width(), face.height());
        int w = Math.max(1, (int) Math.round(face.width() * scale));
        int h = Math.max(1, (int) Math.round(face.height() * scale));
        int x = (int) Math.round(t * (width - w));
        int y = Math.max(0, (height - h) / 2);
        try (Mat canvas = new Mat(height, width, CV_8UC3, new Scalar(96, 104, 112, 0));
             Mat scaled = new Mat(); Size size = new Size(w, h); Rect at = new Rect(x, y, w, h);
             Mat dst = new Mat(canvas, at); BytePointer buf = new BytePointer();
             IntPointer params = new IntPointer(IMWRITE_JPEG_QUALITY, 85)) {
            resize(face.mat(), scaled, size, 0, 0, INTER_AREA);
            scaled.copyTo(dst);
            if (!imencode(".jpg", canvas, buf, params)) {
                throw new IllegalStateException("JPEG encoding failed");
            }
            byte[] out = new byte[(int) buf.limit()];
            buf.get(out);
            return out;
        }
    }
}
