package dev.lfr.udfs.detect;

import java.util.ArrayList;
import java.util.List;

/**
 * How square detector tiles cover a part of a frame: as few tiles of the size as cover it with at least the
 * overlap between neighbours (so a face on a seam is whole in one tile), evenly spaced. A part smaller than a tile
 * gets one tile centred on it, so every tile shows faces at the same scale. Stateless.
 */
public final class Tiling {
    /** A rectangle of the frame searched as one detector pass, in frame pixels. */
    public record Region(int x, int y, int width, int height) {}

    private Tiling() {}

    /**
     * Tiles of {@code tile} pixels over the box {@code x, y, width, height} (grown to a tile where smaller, and
     * clipped to the frame), overlapping by at least {@code overlap} of a tile.
     */
    public static List<Region> cover(double x, double y, double width, double height, int tile, double overlap,
                                     int frameWidth, int frameHeight) {
        int[] xs = span(x, width, tile, frameWidth);
        int[] ys = span(y, height, tile, frameHeight);
        List<Region> out = new ArrayList<>();
        for (int sy : starts(ys[1], tile, overlap)) {
            for (int sx : starts(xs[1], tile, overlap)) {
                out.add(new Region(xs[0] + sx, ys[0] + sy, Math.min(tile, xs[1] - sx), Math.min(tile, ys[1] - sy)));
            }
        }
        return out;
    }

    /** The whole frame's tiles. */
    public static List<Region> frame(int tile, double overlap, int frameWidth, int frameHeight) {
        return cover(0, 0, frameWidth, frameHeight, tile, overlap, frameWidth, frameHeight);
    }

    /** How many tiles {@link #frame} lays, without laying them. */
    public static int count(int tile, double overlap, int frameWidth, int frameHeight) {
        return along(frameWidth, tile, overlap) * along(frameHeight, tile, overlap);
    }

    /** Most tiles a frame gets: a 1920x1080 frame has 28 at 384 px and 60 at 256. */
    public static final int MAX_TILES = 64;

    /**
     * The tile size to use on a frame of this size: {@code tile}, or larger where the frame would need more than
     * {@link #MAX_TILES} (a camera, or an attacker, sending 40-megapixel frames would otherwise cost a thousand
     * detector passes a frame and stall every camera of its subtask).
     */
    public static int sizeFor(int tile, double overlap, int frameWidth, int frameHeight) {
        int size = tile;
        while (count(size, overlap, frameWidth, frameHeight) > MAX_TILES) {
            size += Math.max(1, size / 4);
        }
        return size;
    }

    /** Start and length of a box's extent along one axis, grown to at least a tile around its centre, in the frame. */
    private static int[] span(double start, double length, int tile, int frameLength) {
        if (frameLength <= tile) {
            return new int[] {0, frameLength};
        }
        double from = Math.max(0, start);
        double to = Math.min(frameLength, start + length);
        if (to - from < tile) {
            double centre = (from + to) / 2;
            from = centre - tile / 2.0;
            to = from + tile;
        }
        if (from < 0) { // moved back inside the frame, keeping its length
            to -= from;
            from = 0;
        }
        if (to > frameLength) {
            from -= to - frameLength;
            to = frameLength;
        }
        // rounded as a length, not as two ends: a tile-sized span at a fractional place is one tile, not two
        int extent = (int) Math.min(frameLength, Math.round(to - from));
        int a = (int) Math.max(0, Math.min(frameLength - extent, Math.round(from)));
        return new int[] {a, extent};
    }

    /** How many tiles of {@code tile} px cover {@code length} with at least the overlap. */
    private static int along(int length, int tile, double overlap) {
        if (length <= tile) {
            return 1;
        }
        int step = Math.max(1, (int) Math.floor(tile * (1 - overlap)));
        return (int) Math.ceil((double) (length - tile) / step) + 1;
    }

    /** Evenly spaced starts so that tiles of {@code tile} px cover {@code length} with at least the overlap. */
    static int[] starts(int length, int tile, double overlap) {
        if (length <= tile) {
            return new int[] {0};
        }
        int n = along(length, tile, overlap);
        int[] starts = new int[n];
        for (int i = 0; i < n; i++) {
            starts[i] = (int) Math.round((double) i * (length - tile) / (n - 1));
        }
        return starts;
    }
}
