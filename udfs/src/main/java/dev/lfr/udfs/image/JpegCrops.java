package dev.lfr.udfs.image;

import static org.bytedeco.opencv.global.opencv_imgcodecs.IMWRITE_JPEG_QUALITY;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imencode;

import dev.lfr.udfs.detect.Box;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;

/**
 * JPEG of a face's surroundings for an officer to compare with the watchlist photo: the box enlarged around its
 * centre and clipped to the frame. Only ever called for a match. Stateless. Also the one JPEG encoder of the tools.
 */
public final class JpegCrops {
    private JpegCrops() {}

    public static byte[] crop(FrameImage frame, Box box, double enlarge, int quality) {
        double side = Math.max(box.width(), box.height()) * enlarge;
        int x0 = (int) Math.max(0, Math.floor(box.centre().x() - side / 2));
        int y0 = (int) Math.max(0, Math.floor(box.centre().y() - side / 2));
        int x1 = (int) Math.min(frame.width(), Math.ceil(box.centre().x() + side / 2));
        int y1 = (int) Math.min(frame.height(), Math.ceil(box.centre().y() + side / 2));
        if (x1 <= x0 || y1 <= y0) {
            throw new IllegalArgumentException("box " + box + " lies outside the frame");
        }
        try (Rect r = new Rect(x0, y0, x1 - x0, y1 - y0); Mat roi = new Mat(frame.mat(), r)) {
            return encode(roi, quality);
        }
    }

    /** A BGR image (or a region of one) as JPEG. */
    public static byte[] encode(Mat bgr, int quality) {
        try (BytePointer buf = new BytePointer(); IntPointer params = new IntPointer(IMWRITE_JPEG_QUALITY, quality)) {
            if (!imencode(".jpg", bgr, buf, params)) {
                throw new IllegalStateException("JPEG encoding failed");
            }
            byte[] out = new byte[(int) buf.limit()];
            buf.get(out);
            return out;
        }
    }
}
