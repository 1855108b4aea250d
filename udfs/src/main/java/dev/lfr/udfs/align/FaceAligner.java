package dev.lfr.udfs.align;

import static org.bytedeco.opencv.global.opencv_core.BORDER_CONSTANT;
import static org.bytedeco.opencv.global.opencv_core.CV_32F;
import static org.bytedeco.opencv.global.opencv_core.CV_32FC1;
import static org.bytedeco.opencv.global.opencv_core.CV_64F;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_BGR2GRAY;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_LINEAR;
import static org.bytedeco.opencv.global.opencv_imgproc.cvtColor;
import static org.bytedeco.opencv.global.opencv_imgproc.warpAffine;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.lfr.udfs.detect.Detection;
import dev.lfr.udfs.detect.Point;
import dev.lfr.udfs.image.FrameImage;
import dev.lfr.udfs.model.ModelSpec;
import dev.lfr.udfs.model.ModelStore;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_core.Size;

/**
 * Warps a detected face onto the template of one embedder, as its catalog entry says: a least-squares similarity
 * from landmarks to template points, then a bilinear warp into the chip. The landmarks are either BlazeFace's own
 * keypoints or, for embedders trained on five-point alignment, points derived from a 68-point landmark model run on
 * the face box (eye centres = means of points 36-41 and 42-47, nose tip 30, mouth corners = means of 48/60 and 54/64).
 * A plain box crop instead of this cost about 4.5 points of LFW accuracy.
 *
 * <p>Not thread-safe (reuses buffers and may own a landmark session); one per thread.
 */
public final class FaceAligner implements AutoCloseable {
    private static final int LANDMARK_SIZE = 64;

    private final ModelSpec spec;
    private final List<Point> template;
    private final OrtSession landmarkSession;
    private final String landmarkInputName;
    private final FloatBuffer landmarkBuffer;
    /** The landmark model's input, a view of {@link #landmarkBuffer} that OpenCV writes into. */
    private final Mat landmarkInput;
    private final Mat grey = new Mat();

    public FaceAligner(ModelStore models, String embeddingModel) {
        this.spec = models.spec(embeddingModel);
        if (spec.alignment() == null || spec.input() == null) {
            throw new IllegalArgumentException("model " + embeddingModel + " has no alignment in its catalog entry");
        }
        List<Point> t = new ArrayList<>();
        for (double[] p : spec.alignment().template()) {
            t.add(new Point(p[0], p[1]));
        }
        this.template = List.copyOf(t);
        if (spec.alignment().usesBlazeFaceKeypoints()) {
            landmarkSession = null;
            landmarkInputName = null;
            landmarkBuffer = null;
            landmarkInput = null;
        } else {
            landmarkSession = models.open(spec.alignment().landmarks());
            landmarkInputName = landmarkSession.getInputNames().iterator().next();
            landmarkBuffer = ByteBuffer.allocateDirect(LANDMARK_SIZE * LANDMARK_SIZE * 4).order(ByteOrder.nativeOrder())
                    .asFloatBuffer();
            landmarkInput = new Mat(LANDMARK_SIZE, LANDMARK_SIZE, CV_32FC1, new FloatPointer(landmarkBuffer));
        }
    }

    public String embeddingModel() {
        return spec.id();
    }

    public AlignedFace align(FrameImage frame, Detection face) throws OrtException {
        List<Point> landmarks = spec.alignment().usesBlazeFaceKeypoints() ? blazeFacePoints(face)
                : landmark68Points(frame, face);
        SimilarityTransform m = SimilarityTransform.fit(landmarks, template);
        return new AlignedFace(spec.id(), warp(frame, m, spec.input().width(), spec.input().height()), landmarks, m);
    }

    private List<Point> blazeFacePoints(Detection d) {
        List<Point> out = new ArrayList<>();
        for (String name : spec.alignment().points()) {
            out.add(switch (name) {
                case "right_eye" -> d.keypoint(Detection.RIGHT_EYE);
                case "left_eye" -> d.keypoint(Detection.LEFT_EYE);
                case "nose_tip" -> d.keypoint(Detection.NOSE_TIP);
                case "mouth_centre" -> d.keypoint(Detection.MOUTH_CENTRE);
                default -> throw new IllegalArgumentException("BlazeFace has no keypoint '" + name + "'");
            });
        }
        return out;
    }

    /**
     * Runs the 68-point model on the face box, enlarged by the catalog's {@code landmarkBoxScale} (the model was trained
     * on boxes looser than BlazeFace's), grey, 64x64, /256, and derives the named points.
     */
    private List<Point> landmark68Points(FrameImage frame, Detection d) throws OrtException {
        double side = d.box().side() * spec.alignment().landmarkBoxScale();
        double x0 = d.box().centre().x() - side / 2;
        double y0 = d.box().centre().y() - side / 2;
        double s = LANDMARK_SIZE / side;
        SimilarityTransform boxToInput = new SimilarityTransform(s, 0, -x0 * s, -y0 * s);
        try (FrameImage crop = warp(frame, boxToInput, LANDMARK_SIZE, LANDMARK_SIZE)) {
            cvtColor(crop.mat(), grey, COLOR_BGR2GRAY);
        }
        // OpenCV does the per-pixel work, as for the detector and the embedder (a Java loop here took about 3% of the
        // matcher's time by JFR in a drain on a freshly submitted job); /256 is exact, so are the values
        grey.convertTo(landmarkInput, CV_32F, 1 / 256.0, 0);
        float[] lm;
        try (OnnxTensor t = OnnxTensor.createTensor(OrtEnvironment.getEnvironment(), landmarkBuffer.rewind(),
                new long[] {1, 1, LANDMARK_SIZE, LANDMARK_SIZE});
             OrtSession.Result r = landmarkSession.run(Map.of(landmarkInputName, t))) {
            FloatBuffer out = ((OnnxTensor) r.get(0)).getFloatBuffer();
            lm = new float[out.remaining()];
            out.get(lm);
        }
        List<Point> out = new ArrayList<>();
        for (String name : spec.alignment().points()) {
            out.add(switch (name) {
                case "right_eye" -> mean(lm, x0, y0, side, 36, 37, 38, 39, 40, 41);
                case "left_eye" -> mean(lm, x0, y0, side, 42, 43, 44, 45, 46, 47);
                case "nose_tip" -> mean(lm, x0, y0, side, 30);
                case "mouth_right" -> mean(lm, x0, y0, side, 48, 60);
                case "mouth_left" -> mean(lm, x0, y0, side, 54, 64);
                case "mouth_centre" -> mean(lm, x0, y0, side, 48, 54, 60, 64);
                default -> throw new IllegalArgumentException("no 68-point rule for '" + name + "'");
            });
        }
        return out;
    }

    private static Point mean(float[] lm, double x0, double y0, double side, int... idx) {
        double x = 0;
        double y = 0;
        for (int i : idx) {
            x += lm[2 * i];
            y += lm[2 * i + 1];
        }
        return new Point(x0 + side * x / idx.length, y0 + side * y / idx.length);
    }

    /** Warps with {@code m} (frame to output pixels) into a new {@code width x height} BGR image. */
    public static FrameImage warp(FrameImage frame, SimilarityTransform m, int width, int height) {
        Mat chip = new Mat();
        try (DoublePointer values = new DoublePointer(m.toAffine2x3());
             Mat affine = new Mat(2, 3, CV_64F, values);
             Size size = new Size(width, height);
             Scalar black = new Scalar(0.0)) {
            warpAffine(frame.mat(), chip, affine, size, INTER_LINEAR, BORDER_CONSTANT, black);
        }
        return FrameImage.wrap(chip);
    }

    @Override
    public void close() throws OrtException {
        grey.close();
        if (landmarkSession != null) {
            landmarkInput.close();
            landmarkSession.close();
        }
    }
}
