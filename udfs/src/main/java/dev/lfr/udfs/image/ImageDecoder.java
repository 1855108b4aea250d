package dev.lfr.udfs.image;

import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_COLOR;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imdecode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * JPEG and PNG bytes to a {@link FrameImage} (BGR) with OpenCV. Grey, CMYK, 16-bit and alpha images come out as 8-bit
 * BGR (alpha dropped); EXIF orientation is applied. Before any pixel is decoded, the header is read and an image
 * that declares more than {@code maxPixels} pixels is refused, and a JPEG without its end-of-image marker is refused
 * as truncated (libjpeg would otherwise fill the missing part with grey and call it a success).
 *
 * <p>Thread-safe: it holds only its limit.
 */
public final class ImageDecoder {
    /** 8K UHD is 33 megapixels; anything above 40 is not a camera frame. */
    public static final long DEFAULT_MAX_PIXELS = 40_000_000L;

    private final long maxPixels;

    public ImageDecoder() {
        this(DEFAULT_MAX_PIXELS);
    }

    public ImageDecoder(long maxPixels) {
        if (maxPixels <= 0) {
            throw new IllegalArgumentException("maxPixels must be positive");
        }
        this.maxPixels = maxPixels;
    }

    public FrameImage decode(Path file) throws IOException, ImageDecodeException {
        return decode(Files.readAllBytes(file));
    }

    public FrameImage decode(byte[] bytes) throws ImageDecodeException {
        return FrameImage.wrap(decodeMat(bytes, IMREAD_COLOR));
    }

    /**
     * A {@code width} x {@code height} grey thumbnail of the image, decoded at an eighth of its size (a JPEG's
     * scaled inverse DCT: a fraction of a full decode), with the same checks as {@link #decode(byte[])}.
     */
    public byte[] thumbnail(byte[] bytes, int width, int height) throws ImageDecodeException {
        try (Mat reduced = decodeMat(bytes, org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_REDUCED_GRAYSCALE_8);
             Mat small = new Mat(); org.bytedeco.opencv.opencv_core.Size size = new org.bytedeco.opencv.opencv_core.Size(width, height)) {
            org.bytedeco.opencv.global.opencv_imgproc.resize(reduced, small, size, 0, 0,
                    org.bytedeco.opencv.global.opencv_imgproc.INTER_AREA);
            byte[] out = new byte[width * height];
            small.data().get(out);
            return out;
        }
    }

    private Mat decodeMat(byte[] bytes, int flags) throws ImageDecodeException {
        ImageHeader header = ImageHeader.read(bytes);
        if (header.pixels() > maxPixels) {
            throw new ImageDecodeException(ImageDecodeException.Reason.TOO_LARGE, header.format() + " declares "
                    + header.width() + "x" + header.height() + ", over the limit of " + maxPixels + " pixels");
        }
        if (header.format() == ImageHeader.Format.JPEG && !endsWithEoi(bytes)) {
            throw new ImageDecodeException(ImageDecodeException.Reason.TRUNCATED, "JPEG has no end-of-image marker");
        }
        Mat decoded;
        try (BytePointer data = new BytePointer(bytes); Mat encoded = new Mat(1, bytes.length, org.bytedeco.opencv.global.opencv_core.CV_8UC1, data)) {
            decoded = imdecode(encoded, flags);
        } catch (RuntimeException e) {
            throw new ImageDecodeException(ImageDecodeException.Reason.CORRUPT, "OpenCV: " + e.getMessage());
        }
        if (decoded == null || decoded.empty()) {
            throw new ImageDecodeException(ImageDecodeException.Reason.CORRUPT, header.format() + " could not be decoded");
        }
        return decoded;
    }

    /** JPEG streams end with FF D9; encoders may pad a few zero bytes after it. */
    private static boolean endsWithEoi(byte[] b) {
        int end = b.length;
        while (end > 2 && b[end - 1] == 0 && b.length - end < 16) {
            end--;
        }
        return end >= 4 && (b[end - 2] & 0xff) == 0xFF && (b[end - 1] & 0xff) == 0xD9;
    }
}
