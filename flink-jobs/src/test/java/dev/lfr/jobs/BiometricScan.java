package dev.lfr.jobs;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Searches bytes and text for a face descriptor: its first {@link #RUN} components as float32 or float64, in either
 * byte order, each within a tolerance (a descriptor computed again elsewhere may differ in the last bits), or as
 * decimal text. Eight consecutive components within 1e-4 do not occur by chance.
 */
public final class BiometricScan {
    static final int RUN = 8;
    private static final double BINARY_TOLERANCE = 1e-4;
    private static final double TEXT_TOLERANCE = 5e-3;
    private static final Pattern NUMBER = Pattern.compile("-?\\d*\\.\\d+(?:[eE]-?\\d+)?");

    private BiometricScan() {}

    /** Whether {@code haystack} holds the first components of {@code v} in binary or as text. */
    public static boolean holds(byte[] haystack, float[] v) {
        return binary(haystack, v, 4, ByteOrder.LITTLE_ENDIAN) || binary(haystack, v, 4, ByteOrder.BIG_ENDIAN)
                || binary(haystack, v, 8, ByteOrder.LITTLE_ENDIAN) || binary(haystack, v, 8, ByteOrder.BIG_ENDIAN)
                || text(new String(haystack, java.nio.charset.StandardCharsets.ISO_8859_1), v);
    }

    private static boolean binary(byte[] haystack, float[] v, int width, ByteOrder order) {
        ByteBuffer b = ByteBuffer.wrap(haystack).order(order);
        for (int i = 0; i + width * RUN <= haystack.length; i++) {
            int k = 0;
            while (k < RUN && Math.abs(read(b, i + k * width, width) - v[k]) <= BINARY_TOLERANCE) {
                k++;
            }
            if (k == RUN) {
                return true;
            }
        }
        return false;
    }

    private static double read(ByteBuffer b, int at, int width) {
        return width == 4 ? b.getFloat(at) : b.getDouble(at);
    }

    private static boolean text(String s, float[] v) {
        List<Double> numbers = new ArrayList<>();
        Matcher m = NUMBER.matcher(s);
        while (m.find()) {
            numbers.add(Double.parseDouble(m.group()));
        }
        for (int i = 0; i + RUN <= numbers.size(); i++) {
            int k = 0;
            while (k < RUN && Math.abs(numbers.get(i + k) - v[k]) <= TEXT_TOLERANCE) {
                k++;
            }
            if (k == RUN) {
                return true;
            }
        }
        return false;
    }
}
