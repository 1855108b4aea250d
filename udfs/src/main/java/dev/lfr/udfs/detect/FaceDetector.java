package dev.lfr.udfs.detect;

import static org.bytedeco.opencv.global.opencv_core.CV_32FC3;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_BGR2RGB;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_AREA;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_LINEAR;
import static org.bytedeco.opencv.global.opencv_imgproc.cvtColor;
import static org.bytedeco.opencv.global.opencv_imgproc.pyrDown;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.lfr.udfs.image.FrameImage;
import dev.lfr.udfs.model.ModelStore;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_core.Size;

/**
 * MediaPipe BlazeFace (back, 256x256) on ONNX Runtime: letterbox, 896 anchors, decode, weighted NMS, six keypoints.
 *
 * <p>BlazeFace misses faces much smaller than about a tenth of its input, so a 40 px face in a 1920x1080 frame is
 * lost in one whole-frame pass. With {@link Config#tileSize()} set, the frame is also cut into overlapping square
 * tiles of that many pixels, each run at 256x256, and all passes are merged by weighted NMS.
 *
 * <p>Not thread-safe: it reuses its input buffer. Use one instance per thread (per Flink subtask); each owns one
 * ONNX session with one intra-op thread.
 */
public final class FaceDetector implements AutoCloseable {
    public static final String MODEL_ID = "blazeface-back-256";
    static final int SIZE = 256;
    private static final double NMS_IOU = 0.3;

    /**
     * @param minScore    minimum face score, 0..1 (MediaPipe's default is 0.65)
     * @param tileSize    0 for one whole-frame pass; else also run square tiles of this many frame pixels
     * @param tileOverlap fraction of a tile shared with its neighbour, so a face on a seam is whole in one tile
     */
    public record Config(double minScore, int tileSize, double tileOverlap) implements java.io.Serializable {
        public Config {
            if (minScore < 0 || minScore > 1 || tileSize < 0 || tileOverlap < 0 || tileOverlap >= 0.9) {
                throw new IllegalArgumentException("bad detector config " + minScore + "/" + tileSize + "/" + tileOverlap);
            }
        }

        public static Config defaults() {
            return new Config(0.5, 0, 0.25);
        }

        public Config withTileSize(int size) {
            return new Config(minScore, size, tileOverlap);
        }

        public Config withMinScore(double score) {
            return new Config(score, tileSize, tileOverlap);
        }
    }

    private final OrtSession session;
    private final String inputName;
    private final Config config;
    private final FloatBuffer input = ByteBuffer.allocateDirect(SIZE * SIZE * 3 * 4).order(ByteOrder.nativeOrder())
            .asFloatBuffer();
    private final Mat resized = new Mat();
    private final Mat rgb = new Mat();
    private final Mat letterbox = new Mat(SIZE, SIZE, CV_32FC3);
    private static final Scalar BLACK = new Scalar(-1, -1, -1, 0);
    private final Mat[] pyramid = {new Mat(), new Mat()};

    public FaceDetector(ModelStore models, Config config) {
        this.session = models.open(MODEL_ID);
        this.inputName = session.getInputNames().iterator().next();
        this.config = config;
    }

    public Config config() {
        return config;
    }

    /** The faces of a frame, best score first, and how many detector passes finding them took. */
    public record Found(List<Detection> faces, int passes) {}

    /** All faces in the frame (the whole frame and every configured tile), best score first. */
    public List<Detection> detect(FrameImage frame) throws OrtException {
        return detect(frame, tiles(frame.width(), frame.height())).faces();
    }

    /** The faces found by the whole-frame pass and by one pass over each of {@code tiles} (clipped to the frame). */
    public Found detect(FrameImage frame, List<Tiling.Region> tiles) throws OrtException {
        List<Detection> raw = new ArrayList<>();
        int w = frame.width();
        int h = frame.height();
        runPass(frame, 0, 0, w, h, raw);
        int passes = 1;
        for (Tiling.Region t : tiles) {
            int x0 = Math.max(0, t.x());
            int y0 = Math.max(0, t.y());
            int x1 = Math.min(w, t.x() + t.width());
            int y1 = Math.min(h, t.y() + t.height());
            if (x1 > x0 && y1 > y0) {
                runPass(frame, x0, y0, x1 - x0, y1 - y0, raw);
                passes++;
            }
        }
        return new Found(WeightedNms.apply(raw, NMS_IOU), passes);
    }

    /**
     * The configured tiles of a frame of this size (larger ones where it would need more than
     * {@link Tiling#MAX_TILES}); none where tiling is off or the frame fits in one tile.
     */
    public List<Tiling.Region> tiles(int width, int height) {
        int tile = config.tileSize();
        if (tile <= 0 || (width <= tile && height <= tile)) {
            return List.of();
        }
        return Tiling.frame(Tiling.sizeFor(tile, config.tileOverlap(), width, height), config.tileOverlap(), width, height);
    }

    /** How many 256x256 inference passes one frame of this size costs: the whole frame plus any tiles. */
    public int passes(int width, int height) {
        return 1 + tiles(width, height).size();
    }

    private void runPass(FrameImage frame, int x0, int y0, int rw, int rh, List<Detection> out) throws OrtException {
        double scale = (double) SIZE / Math.max(rw, rh);
        int nw = Math.max(1, (int) Math.round(rw * scale));
        int nh = Math.max(1, (int) Math.round(rh * scale));
        int offX = (SIZE - nw) / 2;
        int offY = (SIZE - nh) / 2;
        try (Mat region = new Mat(frame.mat(), new Rect(x0, y0, rw, rh)); Size size = new Size(nw, nh)) {
            // INTER_AREA at a non-integer factor costs ~5 ms on a 1080p frame; halving with a Gaussian pyramid down
            // to within 2x of the target first gives the same anti-aliasing for ~1.7 ms
            Mat src = region;
            while (src.cols() >= 2 * nw && src.rows() >= 2 * nh) {
                Mat next = src == pyramid[0] ? pyramid[1] : pyramid[0];
                pyrDown(src, next);
                src = next;
            }
            resize(src, resized, size, 0, 0, scale < 1 ? INTER_AREA : INTER_LINEAR);
        }
        fillLetterbox(resized, nw, nh, offX, offY);
        float[] scores0;
        float[] scores1;
        float[] reg0;
        float[] reg1;
        try (OnnxTensor t = OnnxTensor.createTensor(OrtEnvironment.getEnvironment(), input.rewind(),
                new long[] {1, SIZE, SIZE, 3});
             OrtSession.Result r = session.run(Map.of(inputName, t))) {
            scores0 = floats(r, "Identity:0");
            scores1 = floats(r, "Identity_1:0");
            reg0 = floats(r, "Identity_2:0");
            reg1 = floats(r, "Identity_3:0");
        }
        double minLogit = Math.log(config.minScore() / (1 - config.minScore() + 1e-12));
        for (int a = 0; a < BlazeFaceAnchors.COUNT; a++) {
            boolean first = a < scores0.length;
            float logit = first ? scores0[a] : scores1[a - scores0.length];
            if (logit < minLogit) {
                continue;
            }
            float[] reg = first ? reg0 : reg1;
            int base = (first ? a : a - scores0.length) * 16;
            out.add(decode(a, logit, reg, base, x0, y0, scale, offX, offY));
        }
    }

    private static Detection decode(int anchor, float logit, float[] reg, int base, int x0, int y0, double scale,
                                    int offX, int offY) {
        double ax = BlazeFaceAnchors.CENTRES[2 * anchor] * SIZE;
        double ay = BlazeFaceAnchors.CENTRES[2 * anchor + 1] * SIZE;
        double cx = ax + reg[base];
        double cy = ay + reg[base + 1];
        double bw = reg[base + 2];
        double bh = reg[base + 3];
        Box box = new Box(toFrame(cx - bw / 2, offX, scale, x0), toFrame(cy - bh / 2, offY, scale, y0),
                bw / scale, bh / scale);
        List<Point> kps = new ArrayList<>(Detection.KEYPOINTS);
        for (int k = 0; k < Detection.KEYPOINTS; k++) {
            kps.add(new Point(toFrame(ax + reg[base + 4 + 2 * k], offX, scale, x0),
                    toFrame(ay + reg[base + 5 + 2 * k], offY, scale, y0)));
        }
        double score = 1 / (1 + Math.exp(-Math.max(-100, Math.min(100, logit))));
        return new Detection(box, score, kps);
    }

    private static double toFrame(double inputPx, int offset, double scale, int origin) {
        return origin + (inputPx - offset) / scale;
    }

    /**
     * NHWC, RGB, scaled to [-1,1]; the letterbox border is black (-1), as MediaPipe pads. OpenCV does the per-pixel
     * work (a Java loop over the 196,608 values took a fifth of the streaming job's matcher time).
     */
    private void fillLetterbox(Mat bgr, int nw, int nh, int offX, int offY) {
        letterbox.put(BLACK);
        cvtColor(bgr, rgb, COLOR_BGR2RGB);
        try (Rect r = new Rect(offX, offY, nw, nh); Mat roi = new Mat(letterbox, r)) {
            rgb.convertTo(roi, CV_32FC3, 1 / 127.5, -1);
        }
        input.clear();
        input.put(letterbox.createBuffer());
        input.clear();
    }

    private static float[] floats(OrtSession.Result r, String name) {
        FloatBuffer b = ((OnnxTensor) r.get(name).orElseThrow(
                () -> new IllegalStateException("BlazeFace output " + name + " missing"))).getFloatBuffer();
        float[] out = new float[b.remaining()];
        b.get(out);
        return out;
    }

    @Override
    public void close() throws OrtException {
        resized.close();
        rgb.close();
        letterbox.close();
        pyramid[0].close();
        pyramid[1].close();
        session.close();
    }
}
