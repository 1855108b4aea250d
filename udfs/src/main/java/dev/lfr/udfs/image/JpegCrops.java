package dev.lfr.udfs.image;

import static org.bytedeco.opencv.global.opencv_imgcodecs.IMWRITE_JPEG_QUALITY;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imencode;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;

/**
 * JPEG of a face's surroundings for an officer to compare with the watchlist photo: a square around the face's
 * centre, larger than its box, clipped to the frame (given as numbers: images need nothing of detection). The job
 * calls it only for a match. Stateless. Also the one JPEG encoder of the tools.
 */
public final class JpegCrops {
    private JpegCrops() {}

    /**
     * The square of side {@code side} centred on ({@code centreX}, {@code centreY}), clipped to the frame, as JPEG.
     *
     * @throws IllegalArgumentException when the square lies outside the frame
     */
    public static byte[] crop(FrameImage frame, double centreX, double centreY, double side, int quality) {
        int x0 = (int) Math.max(0, Math.floor(centreX - side / 2));
        int y0 = (int) Math.max(0, Math.floor(centreY - side / 2));
        int x1 = (int) Math.min(frame.width(), Math.ceil(centreX + side / 2));
        int y1 = (int) Math.min(frame.height(), Math.ceil(centreY + side / 2));
        if (x1 <= x0 || y1 <= y0) {
            throw new IllegalArgumentException("the square of side " + side + " around (" + centreX + ", " + centreY
                    + ") lies outside the frame");
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
