package dev.lfr.udfs.embed;

import static org.bytedeco.opencv.global.opencv_core.CV_32FC3;
import static org.bytedeco.opencv.global.opencv_core.flip;
import static org.bytedeco.opencv.global.opencv_core.multiply;
import static org.bytedeco.opencv.global.opencv_core.split;
import static org.bytedeco.opencv.global.opencv_core.subtract;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_BGR2RGB;
import static org.bytedeco.opencv.global.opencv_imgproc.cvtColor;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.lfr.udfs.align.AlignedFace;
import dev.lfr.udfs.image.FrameImage;
import dev.lfr.udfs.model.ModelSpec;
import dev.lfr.udfs.model.ModelStore;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.MatVector;
import org.bytedeco.opencv.opencv_core.Scalar;

/**
 * Aligned face chips to descriptors, for any embedder in the catalog: input size, channel order, normalisation and
 * output dimension all come from the model's entry, so a stronger model is a catalog change. Faces are run in
 * batches of up to {@code maxBatch} (models exported with a fixed batch of 1 are run one by one). With flip
 * averaging, each chip is also embedded mirrored and the two outputs are summed before normalisation (a common
 * test-time augmentation; it costs a second model run a face).
 *
 * <p>Not thread-safe (one ONNX session and one reused input buffer); one instance per thread.
 */
public final class FaceEmbedder implements AutoCloseable {
    private final ModelSpec spec;
    private final OrtSession session;
    private final String inputName;
    private final int maxBatch;
    private final int chipFloats;
    private final FloatBuffer buffer;
    private final Mat scaled = new Mat();
    private final MatVector planes = new MatVector(3);
    /** Model channel c reads BGR channel {@code source[c]}. */
    private final int[] source;
    /** The model's per-channel mean and 1/std, laid out per BGR channel over a whole chip: made once, not per face. */
    private final Mat meanMat;
    private final Mat invStdMat;
    private final boolean flipAveraging;

    public FaceEmbedder(ModelStore models, String embeddingModel, int maxBatch) {
        this(models, embeddingModel, maxBatch, false);
    }

    public FaceEmbedder(ModelStore models, String embeddingModel, int maxBatch, boolean flipAveraging) {
        this.flipAveraging = flipAveraging;
        this.spec = models.spec(embeddingModel);
        if (!"embedder".equals(spec.role()) || spec.dimension() == null) {
            throw new IllegalArgumentException(embeddingModel + " is not an embedder");
        }
        this.session = models.open(embeddingModel);
        this.inputName = session.getInputNames().iterator().next();
        long declaredBatch = models.manifest().model(embeddingModel).inputs().get(0).shape()[0];
        this.maxBatch = declaredBatch > 0 ? (int) Math.min(declaredBatch, maxBatch) : Math.max(1, maxBatch);
        this.chipFloats = spec.input().width() * spec.input().height() * spec.input().channelCount();
        this.buffer = allocate(this.maxBatch);
        ModelSpec.InputSpec in = spec.input();
        this.source = switch (in.channels()) {
            case "RGB" -> new int[] {2, 1, 0};
            case "BGR" -> new int[] {0, 1, 2};
            default -> throw new IllegalArgumentException("embedder input channels " + in.channels() + " unsupported");
        };
        double[] mean = new double[4];
        double[] inv = new double[4];
        for (int c = 0; c < 3; c++) {
            mean[source[c]] = in.mean()[c];
            inv[source[c]] = 1 / in.std()[c];
        }
        try (Scalar m = new Scalar(mean[0], mean[1], mean[2], 0); Scalar k = new Scalar(inv[0], inv[1], inv[2], 0)) {
            this.meanMat = new Mat(in.height(), in.width(), CV_32FC3, m);
            this.invStdMat = new Mat(in.height(), in.width(), CV_32FC3, k);
        }
    }

    public String embeddingModel() {
        return spec.id();
    }

    public int dimension() {
        return spec.dimension();
    }

    public ModelSpec spec() {
        return spec;
    }

    public FaceDescriptor embed(AlignedFace face) throws OrtException {
        return embedAll(List.of(face)).get(0);
    }

    public List<FaceDescriptor> embedAll(List<AlignedFace> faces) throws OrtException {
        List<FaceDescriptor> out = new ArrayList<>(faces.size());
        for (int start = 0; start < faces.size(); start += maxBatch) {
            List<AlignedFace> batch = faces.subList(start, Math.min(faces.size(), start + maxBatch));
            out.addAll(runBatch(batch));
        }
        return out;
    }

    private List<FaceDescriptor> runBatch(List<AlignedFace> batch) throws OrtException {
        for (AlignedFace f : batch) {
            if (!f.embeddingModel().equals(spec.id())) {
                throw new IllegalArgumentException("face aligned for " + f.embeddingModel() + " given to " + spec.id());
            }
        }
        List<FrameImage> chips = batch.stream().map(AlignedFace::chip).toList();
        float[][] raw = rawOutputs(chips, false);
        if (flipAveraging) {
            float[][] mirrored = rawOutputs(chips, true);
            for (int i = 0; i < raw.length; i++) {
                for (int j = 0; j < raw[i].length; j++) {
                    raw[i][j] += mirrored[i][j];
                }
            }
        }
        List<FaceDescriptor> out = new ArrayList<>(raw.length);
        for (float[] v : raw) {
            out.add(new FaceDescriptor(spec.id(), v));
        }
        return out;
    }

    /**
     * The model's outputs as they are, before L2 normalisation, for chips already at the model's input size
     * (at most {@code maxBatch} of them). For conformance checks against a reference implementation.
     */
    public float[][] rawOutputs(List<FrameImage> chips) throws OrtException {
        return rawOutputs(chips, false);
    }

    private float[][] rawOutputs(List<FrameImage> chips, boolean mirrored) throws OrtException {
        int n = chips.size();
        if (n == 0 || n > maxBatch) {
            throw new IllegalArgumentException("batch of " + n + " faces; allowed 1.." + maxBatch);
        }
        for (int i = 0; i < n; i++) {
            fill(chips.get(i), i * chipFloats, mirrored);
        }
        ModelSpec.InputSpec in = spec.input();
        long[] shape = in.nchw() ? new long[] {n, in.channelCount(), in.height(), in.width()}
                : new long[] {n, in.height(), in.width(), in.channelCount()};
        FloatBuffer view = buffer.duplicate().position(0).limit(n * chipFloats).slice();
        try (OnnxTensor t = OnnxTensor.createTensor(OrtEnvironment.getEnvironment(), view, shape);
             OrtSession.Result r = session.run(Map.of(inputName, t))) {
            FloatBuffer result = ((OnnxTensor) r.get(0)).getFloatBuffer();
            int dim = spec.dimension();
            if (result.remaining() != n * dim) {
                throw new IllegalStateException(spec.id() + " returned " + result.remaining() + " values for " + n
                        + " faces of " + dim);
            }
            float[][] out = new float[n][dim];
            for (float[] v : out) {
                result.get(v);
            }
            return out;
        }
    }

    /** One chip as the model reads it (layout, channel order, normalisation), e.g. to calibrate a quantised twin. */
    public float[] modelInput(FrameImage chip, boolean mirrored) {
        fill(chip, 0, mirrored);
        float[] v = new float[chipFloats];
        buffer.get(v);
        buffer.clear();
        return v;
    }

    /** Writes one BGR chip at {@code offset} in the model's layout, channel order and normalisation. */
    private void fill(FrameImage chip, int offset, boolean mirrored) {
        ModelSpec.InputSpec in = spec.input();
        if (chip.width() != in.width() || chip.height() != in.height()) {
            throw new IllegalArgumentException("chip is " + chip.width() + "x" + chip.height() + ", " + spec.id()
                    + " wants " + in.width() + "x" + in.height());
        }
        // OpenCV does the per-pixel work (a Java loop here showed up in the streaming job's profile)
        chip.mat().convertTo(scaled, CV_32FC3);
        if (mirrored) {
            flip(scaled, scaled, 1);
        }
        subtract(scaled, meanMat, scaled);
        multiply(scaled, invStdMat, scaled);
        int plane = in.width() * in.height();
        if (in.nchw()) {
            split(scaled, planes);
            for (int c = 0; c < 3; c++) {
                buffer.position(offset + c * plane);
                buffer.put(planes.get(source[c]).createBuffer());
            }
        } else {
            if (source[0] != 0) {
                cvtColor(scaled, scaled, COLOR_BGR2RGB);
            }
            buffer.position(offset);
            buffer.put(scaled.<FloatBuffer>createBuffer());
        }
        buffer.clear();
    }

    private FloatBuffer allocate(int faces) {
        return ByteBuffer.allocateDirect(faces * chipFloats * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    @Override
    public void close() throws OrtException {
        session.close();
        scaled.close();
        planes.close();
        meanMat.close();
        invStdMat.close();
    }
}
