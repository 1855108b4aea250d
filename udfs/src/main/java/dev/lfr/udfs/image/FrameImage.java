package dev.lfr.udfs.image;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;

import java.nio.ByteBuffer;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * A decoded 8-bit, 3-channel image in OpenCV's native BGR order, kept in native memory so that resizing and
 * warping cost no copies. Models that want RGB read the channels in that order when they fill their tensors,
 * which is cheaper than converting every frame.
 *
 * <p>Immutable through this API: {@link #pixels()} is a read-only view and {@link #mat()} is package-private for the
 * engine's own OpenCV calls. Not thread-safe to {@link #close()} while another thread reads; reading from several
 * threads is fine. Closing frees the native memory now; otherwise JavaCPP frees it when the object is collected.
 */
public final class FrameImage implements AutoCloseable {
    private final Mat mat;

    FrameImage(Mat mat) {
        if (mat.type() != CV_8UC3 || !mat.isContinuous()) {
            throw new IllegalArgumentException("expected a continuous 8-bit BGR image");
        }
        this.mat = mat;
    }

    /** Wraps a continuous CV_8UC3 BGR Mat; the image owns it from now on. */
    public static FrameImage wrap(Mat bgr) {
        return new FrameImage(bgr);
    }

    public int width() {
        return mat.cols();
    }

    public int height() {
        return mat.rows();
    }

    /** Read-only view of the BGR bytes, row-major, {@code 3 * width} bytes a row. */
    public ByteBuffer pixels() {
        return new BytePointer(mat.data()).capacity((long) width() * height() * 3).asByteBuffer().asReadOnlyBuffer();
    }

    /** A copy of the BGR bytes. */
    public byte[] toBgrBytes() {
        byte[] out = new byte[width() * height() * 3];
        mat.data().get(out);
        return out;
    }

    /** The backing Mat, for OpenCV calls that only read it. Callers must not modify or release it. */
    public Mat mat() {
        return mat;
    }

    @Override
    public void close() {
        mat.close();
    }
}
