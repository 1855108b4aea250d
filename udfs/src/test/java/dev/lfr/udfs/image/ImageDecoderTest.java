package dev.lfr.udfs.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.bytedeco.opencv.global.opencv_core.CV_16UC3;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imencode;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_BGR2BGRA;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_BGR2GRAY;
import static org.bytedeco.opencv.global.opencv_imgproc.cvtColor;

import dev.lfr.udfs.detect.FaceDetector;
import dev.lfr.udfs.testing.TestData;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.Random;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Bad and unusual images: each gives a typed error or a sensible image, never a crash or an out-of-memory. */
class ImageDecoderTest {
    private static byte[] sampleJpeg;
    private final ImageDecoder decoder = new ImageDecoder();

    @BeforeAll
    static void loadSample() throws Exception {
        sampleJpeg = Files.readAllBytes(TestData.models().samples().get(0));
    }

    @Test
    void decodesARealJpegToBgr() throws Exception {
        try (FrameImage img = decoder.decode(sampleJpeg)) {
            assertThat(img.width()).isEqualTo(1920);
            assertThat(img.height()).isEqualTo(1280);
            assertThat(img.pixels().remaining()).isEqualTo(1920 * 1280 * 3);
            assertThat(img.pixels().isReadOnly()).isTrue();
        }
    }

    @Test
    void emptyInputIsRefused() {
        assertReason(new byte[0], ImageDecodeException.Reason.EMPTY);
    }

    @Test
    void randomBytesAreRefusedAsUnsupported() {
        byte[] junk = new byte[4096];
        new Random(7).nextBytes(junk);
        junk[0] = 0x12;
        assertReason(junk, ImageDecodeException.Reason.UNSUPPORTED_FORMAT);
    }

    @Test
    void truncatedJpegIsRefused() {
        assertReason(Arrays.copyOf(sampleJpeg, sampleJpeg.length / 2), ImageDecodeException.Reason.TRUNCATED);
        assertReason(Arrays.copyOf(sampleJpeg, 10), ImageDecodeException.Reason.TRUNCATED);
    }

    @Test
    void jpegWithGarbageInsideIsRefusedOrDecodedButNeverCrashes() {
        byte[] damaged = sampleJpeg.clone();
        for (int i = damaged.length / 3; i < damaged.length / 3 + 2000; i++) {
            damaged[i] = (byte) 0xFF;
        }
        try (FrameImage img = decoder.decode(damaged)) {
            assertThat(img.width()).isEqualTo(1920);
        } catch (ImageDecodeException e) {
            assertThat(e.reason()).isIn(ImageDecodeException.Reason.CORRUPT, ImageDecodeException.Reason.TRUNCATED);
        }
    }

    @Test
    void decompressionBombHeaderIsRefusedBeforeDecoding() {
        byte[] bomb = withJpegSize(sampleJpeg, 30000, 30000);
        ImageDecodeException e = decodeFailure(bomb);
        assertThat(e.reason()).isEqualTo(ImageDecodeException.Reason.TOO_LARGE);
        assertThat(e.getMessage()).contains("30000x30000");
    }

    @Test
    void pixelLimitIsConfigurable() throws Exception {
        assertThatThrownBy(() -> new ImageDecoder(1000).decode(sampleJpeg))
                .isInstanceOf(ImageDecodeException.class).hasMessageContaining("TOO_LARGE");
        try (FrameImage img = new ImageDecoder(1920L * 1280).decode(sampleJpeg)) {
            assertThat(img.width()).isEqualTo(1920);
        }
    }

    @Test
    void hugePngHeaderIsRefused() throws Exception {
        byte[] png = encode(".png", smallBgr(8, 8));
        // IHDR width and height are big-endian at bytes 16..23
        writeInt(png, 16, 40000);
        writeInt(png, 20, 40000);
        assertReason(png, ImageDecodeException.Reason.TOO_LARGE);
    }

    @Test
    void pngWithAlphaDecodesToThreeChannels() throws Exception {
        try (Mat bgr = smallBgr(64, 48); Mat bgra = new Mat()) {
            cvtColor(bgr, bgra, COLOR_BGR2BGRA);
            try (FrameImage img = decoder.decode(encode(".png", bgra))) {
                assertThat(img.width()).isEqualTo(64);
                assertThat(img.height()).isEqualTo(48);
                assertThat(img.toBgrBytes()).hasSize(64 * 48 * 3);
            }
        }
    }

    @Test
    void sixteenBitPngDecodesTo8Bit() throws Exception {
        try (Mat deep = new Mat(20, 30, CV_16UC3)) {
            deep.put(new org.bytedeco.opencv.opencv_core.Scalar(30000, 20000, 10000, 0));
            try (FrameImage img = decoder.decode(encode(".png", deep))) {
                assertThat(img.toBgrBytes()).hasSize(20 * 30 * 3);
            }
        }
    }

    @Test
    void grayscaleJpegDecodesToThreeEqualChannels() throws Exception {
        try (FrameImage colour = decoder.decode(sampleJpeg); Mat grey = new Mat()) {
            cvtColor(colour.mat(), grey, COLOR_BGR2GRAY);
            try (FrameImage img = decoder.decode(encode(".jpg", grey))) {
                byte[] px = img.toBgrBytes();
                assertThat(img.width()).isEqualTo(1920);
                assertThat(px[3000]).isEqualTo(px[3001]).isEqualTo(px[3002]);
            }
        }
    }

    @Test
    void cmykJpegDecodes() throws Exception {
        byte[] cmyk = cmykJpeg(40, 30);
        assertThat(ImageHeader.read(cmyk).format()).isEqualTo(ImageHeader.Format.JPEG);
        try (FrameImage img = decoder.decode(cmyk)) {
            assertThat(img.width()).isEqualTo(40);
            assertThat(img.height()).isEqualTo(30);
        }
    }

    @Test
    void oneByOneImageDecodesAndHasNoFaces() throws Exception {
        try (FrameImage img = decoder.decode(encode(".png", smallBgr(1, 1)));
             FaceDetector detector = new FaceDetector(TestData.models(), FaceDetector.Config.defaults().withTileSize(256))) {
            assertThat(img.width()).isEqualTo(1);
            assertThat(detector.detect(img)).isEmpty();
        }
    }

    private void assertReason(byte[] bytes, ImageDecodeException.Reason reason) {
        assertThat(decodeFailure(bytes).reason()).isEqualTo(reason);
    }

    private ImageDecodeException decodeFailure(byte[] bytes) {
        try (FrameImage img = decoder.decode(bytes)) {
            throw new AssertionError("decoded " + img.width() + "x" + img.height() + " but expected a failure");
        } catch (ImageDecodeException e) {
            return e;
        }
    }

    /** Rewrites the dimensions in the JPEG's SOF segment. */
    static byte[] withJpegSize(byte[] jpeg, int width, int height) {
        byte[] b = jpeg.clone();
        int i = 2;
        while (i + 9 < b.length) {
            int marker = b[i + 1] & 0xff;
            int len = ((b[i + 2] & 0xff) << 8) | (b[i + 3] & 0xff);
            if (marker >= 0xC0 && marker <= 0xC3) {
                b[i + 5] = (byte) (height >> 8);
                b[i + 6] = (byte) height;
                b[i + 7] = (byte) (width >> 8);
                b[i + 8] = (byte) width;
                return b;
            }
            i += 2 + len;
        }
        throw new IllegalStateException("no SOF marker");
    }

    private static Mat smallBgr(int w, int h) {
        Mat m = new Mat(h, w, org.bytedeco.opencv.global.opencv_core.CV_8UC3);
        m.put(new org.bytedeco.opencv.opencv_core.Scalar(40, 120, 200, 0));
        return m;
    }

    private static byte[] encode(String ext, Mat m) {
        try (BytePointer buf = new BytePointer()) {
            assertThat(imencode(ext, m, buf)).isTrue();
            byte[] out = new byte[(int) buf.limit()];
            buf.get(out);
            return out;
        }
    }

    private static void writeInt(byte[] b, int off, int v) {
        b[off] = (byte) (v >>> 24);
        b[off + 1] = (byte) (v >>> 16);
        b[off + 2] = (byte) (v >>> 8);
        b[off + 3] = (byte) v;
    }

    /** Java's JPEG writer stores a 4-band Raster (no colour model) as an Adobe CMYK JPEG. */
    private static byte[] cmykJpeg(int w, int h) throws Exception {
        WritableRaster r = Raster.createInterleavedRaster(java.awt.image.DataBuffer.TYPE_BYTE, w, h, 4, null);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                r.setPixel(x, y, new int[] {x * 6, y * 8, 100, 20});
            }
        }
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
            writer.setOutput(out);
            writer.write(null, new IIOImage(r, null, null), writer.getDefaultWriteParam());
        }
        writer.dispose();
        return bytes.toByteArray();
    }
}
