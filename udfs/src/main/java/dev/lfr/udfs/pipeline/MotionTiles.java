package dev.lfr.udfs.pipeline;

import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_BGR2GRAY;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_AREA;
import static org.bytedeco.opencv.global.opencv_imgproc.cvtColor;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

import dev.lfr.udfs.detect.Box;
import dev.lfr.udfs.detect.Tiling;
import dev.lfr.udfs.image.FrameImage;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;

/**
 * Tiles only where there is motion. Small faces need the detector's tiles (one whole-frame pass loses a face under
 * about a tenth of the frame), and each tile costs a detector pass: fifteen more for a 1280x720 frame at 384 px.
 * As Frigate runs its detector on motion regions only, tiles here are laid over what changed since the camera's
 * previous searched frame (each connected patch of changed thumbnail pixels) and over each face being tracked (grown
 * by half its size each side, so someone who stops walking is still followed; the pipeline passes the faces seen on
 * one of the last two searched frames), instead of over the whole frame: a passer-by costs a tile or two, not
 * fifteen. Where that would take as many tiles as the whole frame's, the whole frame's are searched. The
 * whole-frame pass always runs. A camera's first frame, and its first after it was forgotten, searches every tile.
 *
 * <p>The thumbnails (80x45 grey, as {@link MotionGate}'s) stay in this object, in the operator's memory: never in
 * state, checkpoints or outputs. Not thread-safe: one per pipeline.
 */
public final class MotionTiles {
    /** Thumbnail size compared between frames. */
    static final int WIDTH = MotionGate.WIDTH;
    static final int HEIGHT = MotionGate.HEIGHT;

    private final int tile;
    private final double overlap;
    private final CameraMemory<byte[][]> previous = new CameraMemory<>();

    /** @param tile the detector's tile size in frame pixels; {@code overlap} the share neighbouring tiles share */
    public MotionTiles(int tile, double overlap) {
        if (tile < 1 || !(overlap >= 0 && overlap < 1)) {
            throw new IllegalArgumentException("tiles need a size of 1 px or more and an overlap in [0, 1)");
        }
        this.tile = tile;
        this.overlap = overlap;
    }

    /**
     * The tiles of this frame of {@code camera} worth searching, given its grey {@link #WIDTH}x{@link #HEIGHT}
     * {@code thumbnail} and the boxes of its tracked faces; remembers the thumbnail for the camera's next frame.
     */
    public List<Tiling.Region> tiles(String camera, byte[] thumbnail, int frameWidth, int frameHeight,
                                     List<Box> tracked) {
        byte[][] slot = previous.of(camera, () -> new byte[1][]);
        byte[] before = slot[0];
        slot[0] = thumbnail;
        if (frameWidth <= tile && frameHeight <= tile) {
            return List.of(); // the whole-frame pass sees it all at the tiles' scale
        }
        int size = Tiling.sizeFor(tile, overlap, frameWidth, frameHeight);
        if (before == null || before.length != thumbnail.length) {
            return Tiling.frame(size, overlap, frameWidth, frameHeight);
        }
        List<Box> where = new ArrayList<>(changedPatches(before, thumbnail, frameWidth, frameHeight));
        for (Box b : tracked) {
            where.add(new Box(b.x() - b.width() / 2, b.y() - b.height() / 2, b.width() * 2, b.height() * 2));
        }
        int most = Tiling.count(size, overlap, frameWidth, frameHeight);
        List<Tiling.Region> out = new ArrayList<>();
        for (Box b : merged(where)) {
            out.addAll(Tiling.cover(b.x(), b.y(), b.width(), b.height(), size, overlap, frameWidth, frameHeight));
            if (out.size() >= most) {
                return Tiling.frame(size, overlap, frameWidth, frameHeight);
            }
        }
        return out;
    }

    /** The camera's next frame searches every tile. */
    public void forget(String camera) {
        previous.forget(camera);
    }

    /** The grey thumbnail {@link #tiles} compares, of a decoded frame. */
    public static byte[] thumbnail(FrameImage frame) {
        // shrunk first, so the colour conversion touches 3,600 pixels rather than the whole frame's
        try (Mat colour = new Mat(); Mat small = new Mat(); Size size = new Size(WIDTH, HEIGHT)) {
            resize(frame.mat(), colour, size, 0, 0, INTER_AREA);
            cvtColor(colour, small, COLOR_BGR2GRAY);
            byte[] out = new byte[WIDTH * HEIGHT];
            small.data().get(out);
            return out;
        }
    }

    /**
     * The frame-pixel bounds of each 8-connected patch of thumbnail pixels whose grey level moved by more than
     * {@link MotionGate#PIXEL_CHANGE}; lone pixels are sensor or JPEG noise (a 40 px face spans 2.5 of them).
     */
    static List<Box> changedPatches(byte[] before, byte[] now, int frameWidth, int frameHeight) {
        boolean[] changed = new boolean[now.length];
        for (int i = 0; i < changed.length; i++) {
            changed[i] = Math.abs((before[i] & 0xff) - (now[i] & 0xff)) > MotionGate.PIXEL_CHANGE;
        }
        double cellW = (double) frameWidth / WIDTH;
        double cellH = (double) frameHeight / HEIGHT;
        List<Box> patches = new ArrayList<>();
        int[] stack = new int[changed.length];
        for (int seed = 0; seed < changed.length; seed++) {
            if (!changed[seed]) {
                continue;
            }
            int minX = WIDTH;
            int minY = HEIGHT;
            int maxX = -1;
            int maxY = -1;
            int cells = 0;
            int top = 0;
            stack[top++] = seed;
            changed[seed] = false;
            while (top > 0) {
                int c = stack[--top];
                int cx = c % WIDTH;
                int cy = c / WIDTH;
                cells++;
                minX = Math.min(minX, cx);
                maxX = Math.max(maxX, cx);
                minY = Math.min(minY, cy);
                maxY = Math.max(maxY, cy);
                for (int dy = -1; dy <= 1; dy++) {
                    for (int dx = -1; dx <= 1; dx++) {
                        int nx = cx + dx;
                        int ny = cy + dy;
                        if (nx >= 0 && nx < WIDTH && ny >= 0 && ny < HEIGHT && changed[ny * WIDTH + nx]) {
                            changed[ny * WIDTH + nx] = false;
                            stack[top++] = ny * WIDTH + nx;
                        }
                    }
                }
            }
            if (cells > 1) {
                patches.add(new Box(minX * cellW, minY * cellH, (maxX + 1 - minX) * cellW, (maxY + 1 - minY) * cellH));
            }
        }
        return patches;
    }

    /** Boxes that overlap merged into their bounds, until none overlaps another: one set of tiles per place. */
    static List<Box> merged(List<Box> boxes) {
        List<Box> out = new ArrayList<>(boxes);
        for (boolean again = true; again; ) {
            again = false;
            for (int i = 0; i < out.size() && !again; i++) {
                for (int j = i + 1; j < out.size() && !again; j++) {
                    Box a = out.get(i);
                    Box b = out.get(j);
                    if (a.x() < b.x() + b.width() && b.x() < a.x() + a.width() && a.y() < b.y() + b.height()
                            && b.y() < a.y() + a.height()) {
                        double x = Math.min(a.x(), b.x());
                        double y = Math.min(a.y(), b.y());
                        out.set(i, new Box(x, y, Math.max(a.x() + a.width(), b.x() + b.width()) - x,
                                Math.max(a.y() + a.height(), b.y() + b.height()) - y));
                        out.remove(j);
                        again = true;
                    }
                }
            }
        }
        return out;
    }
}
