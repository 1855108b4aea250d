package dev.lfr.udfs.image;

/**
 * Format and declared size read from the first bytes of a JPEG or PNG, without decoding pixels, so that a
 * decompression bomb (a tiny file that claims 30000x30000) is refused before any memory is allocated for it.
 */
public record ImageHeader(Format format, int width, int height) {
    public enum Format { JPEG, PNG }

    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    public long pixels() {
        return (long) width * height;
    }

    /** Parses the header; throws for empty, unknown, or damaged headers. */
    public static ImageHeader read(byte[] b) throws ImageDecodeException {
        if (b == null || b.length == 0) {
            throw new ImageDecodeException(ImageDecodeException.Reason.EMPTY, "0 bytes");
        }
        if (b.length >= 3 && (b[0] & 0xff) == 0xFF && (b[1] & 0xff) == 0xD8 && (b[2] & 0xff) == 0xFF) {
            return readJpeg(b);
        }
        if (b.length >= 8 && java.util.Arrays.equals(b, 0, 8, PNG_SIGNATURE, 0, 8)) {
            return readPng(b);
        }
        throw new ImageDecodeException(ImageDecodeException.Reason.UNSUPPORTED_FORMAT,
                "not a JPEG or PNG (first bytes " + hex(b) + ")");
    }

    private static ImageHeader readPng(byte[] b) throws ImageDecodeException {
        // signature, then the IHDR chunk: length(4) "IHDR"(4) width(4) height(4)
        if (b.length < 24 || b[12] != 'I' || b[13] != 'H' || b[14] != 'D' || b[15] != 'R') {
            throw new ImageDecodeException(ImageDecodeException.Reason.CORRUPT, "PNG without an IHDR chunk");
        }
        return checked(Format.PNG, readInt(b, 16), readInt(b, 20));
    }

    private static ImageHeader readJpeg(byte[] b) throws ImageDecodeException {
        int i = 2;
        while (i + 4 <= b.length) {
            if ((b[i] & 0xff) != 0xFF) {
                throw new ImageDecodeException(ImageDecodeException.Reason.CORRUPT, "bad JPEG marker at byte " + i);
            }
            int marker = b[i + 1] & 0xff;
            if (marker == 0xFF) { // fill byte
                i++;
                continue;
            }
            int length = ((b[i + 2] & 0xff) << 8) | (b[i + 3] & 0xff);
            boolean startOfFrame = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
            if (startOfFrame) {
                if (i + 9 > b.length) {
                    break;
                }
                int height = ((b[i + 5] & 0xff) << 8) | (b[i + 6] & 0xff);
                int width = ((b[i + 7] & 0xff) << 8) | (b[i + 8] & 0xff);
                return checked(Format.JPEG, width, height);
            }
            if (marker == 0xDA || length < 2) {
                break; // start of scan before any frame header, or a broken length
            }
            i += 2 + length;
        }
        throw new ImageDecodeException(ImageDecodeException.Reason.TRUNCATED, "JPEG ends before its frame header");
    }

    private static ImageHeader checked(Format f, long width, long height) throws ImageDecodeException {
        if (width <= 0 || height <= 0 || width > Integer.MAX_VALUE || height > Integer.MAX_VALUE) {
            throw new ImageDecodeException(ImageDecodeException.Reason.CORRUPT,
                    f + " header declares " + width + "x" + height);
        }
        return new ImageHeader(f, (int) width, (int) height);
    }

    private static long readInt(byte[] b, int off) {
        return ((long) (b[off] & 0xff) << 24) | ((b[off + 1] & 0xff) << 16) | ((b[off + 2] & 0xff) << 8) | (b[off + 3] & 0xff);
    }

    private static String hex(byte[] b) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < Math.min(4, b.length); i++) {
            s.append(String.format("%02x", b[i]));
        }
        return s.toString();
    }
}
