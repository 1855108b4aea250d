package dev.lfr.udfs.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.lfr.udfs.embed.FaceDescriptor;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The quantiser on a small network built here: conv, PRelu, depthwise conv, residual add, pointwise convs. */
class Int8QuantizerTest {
    private static final long[] SHAPE = {1, 3, 16, 16};

    @Test
    void theQuantisedModelComputesWhatTheFloatOneDoesWithIntegerConvolutions() throws Exception {
        byte[] model = network(11);
        Map<String, Int8Quantizer.Range> ranges = Int8Quantizer.calibrate(model, inputs(40, 1), SHAPE);
        assertThat(ranges.keySet()).containsExactlyInAnyOrderElementsOf(Int8Quantizer.calibratedTensors(model))
                .contains("x", "c0", "p0", "a", "c2", "y");
        byte[] quantised = Int8Quantizer.quantize(model, ranges, Set.of());

        ModelProto q = ModelProto.parseFrom(quantised);
        assertThat(q.getOpsetImport(0).getVersion()).isEqualTo(13); // per-channel DequantizeLinear needs 13
        assertThat(q.getGraph().getNodeList()).filteredOn(n -> "QuantizeLinear".equals(n.getOpType())).isNotEmpty();
        assertThat(q.getGraph().getInitializerList()).filteredOn(t -> t.getName().equals("w2_quantized"))
                .singleElement().satisfies(t -> {
                    assertThat(t.getDataType()).isEqualTo(TensorProto.DataType.INT8_VALUE);
                    assertThat(t.getRawData().size()).isEqualTo(8 * 4); // one byte a weight
                });
        assertThat(q.getGraph().getInitializerList()).extracting(TensorProto::getName).doesNotContain("w0", "w2", "b2");

        // held-out inputs: close to the float model, and not the same (the weights really are 8-bit)
        List<float[]> test = inputs(20, 2);
        float[][] expected = run(model, test);
        float[][] actual = run(quantised, test);
        double worst = 1;
        boolean differs = false;
        for (int i = 0; i < test.size(); i++) {
            worst = Math.min(worst, cosine(expected[i], actual[i]));
            differs |= !java.util.Arrays.equals(expected[i], actual[i]);
        }
        assertThat(worst).isGreaterThan(0.99);
        assertThat(differs).isTrue();
    }

    @Test
    void convolutionsNamedToStayInFloatKeepTheirFloatWeights() throws Exception {
        byte[] model = network(13);
        Map<String, Int8Quantizer.Range> ranges = Int8Quantizer.calibrate(model, inputs(10, 3), SHAPE);
        ModelProto q = ModelProto.parseFrom(Int8Quantizer.quantize(model, ranges, Set.of("c0", "y")));
        List<String> names = q.getGraph().getInitializerList().stream().map(TensorProto::getName).toList();
        assertThat(names).contains("w0", "w3", "w2_quantized").doesNotContain("w0_quantized", "w3_quantized");
        float[][] out = run(q.toByteArray(), inputs(3, 4));
        assertThat(out[0]).hasSize(6 * 16 * 16);
    }

    @Test
    void calibrationSamplesSpanEachInputsWholeTensorAndShareTheRoomEqually() {
        // a 128x7x7 activation with 2.4 values a sample: a stride of 2 would stop at 84% of it
        float[] tensor = new float[6272];
        for (int i = 0; i < tensor.length; i++) {
            tensor[i] = i;
        }
        float[] kept = new float[2 * 2622];
        FloatBuffer first = FloatBuffer.wrap(tensor);
        assertThat(Int8Quantizer.sampleEvenly(first, kept, 0, 2622)).isEqualTo(2622);
        assertThat(first.position()).isZero();
        assertThat(kept[0]).isZero();
        assertThat(kept[2621]).isGreaterThan(tensor.length - 4f);
        // a smaller tensor than the room: each value once, and the next input's room untouched
        java.util.Arrays.fill(kept, -1);
        assertThat(Int8Quantizer.sampleEvenly(FloatBuffer.wrap(tensor, 0, 1000), kept, 0, 2622)).isEqualTo(1000);
        assertThat(kept[999]).isEqualTo(999f);
        assertThat(kept[1000]).isEqualTo(-1f);
        assertThat(Int8Quantizer.sampleEvenly(FloatBuffer.wrap(tensor), kept, 2622, 2622)).isEqualTo(2622);
        assertThat(kept[2 * 2622 - 1]).isGreaterThan(tensor.length - 4f);
    }

    @Test
    void theSensitiveConvolutionsAreTheDepthwiseTheFirstAndTheLastTwoPointwise() {
        assertThat(Int8Quantizer.sensitiveConvs(network(13))).containsExactlyInAnyOrder("c0", "c1", "c2", "y");
    }

    @Test
    void aModelItCannotQuantiseOrARangeThatIsMissingIsRefused() {
        byte[] model = network(13);
        Map<String, Int8Quantizer.Range> ranges = Int8Quantizer.calibrate(model, inputs(2, 5), SHAPE);
        Map<String, Int8Quantizer.Range> partial = new java.util.HashMap<>(ranges);
        partial.remove("a");
        assertThatThrownBy(() -> Int8Quantizer.quantize(model, partial, Set.of()))
                .isInstanceOf(ModelInstallException.class).hasMessageContaining("no calibrated range for tensor a");

        ModelProto m = parse(model);
        GraphProto.Builder g = m.getGraph().toBuilder();
        g.setNode(g.getNodeCount() - 1, g.getNode(g.getNodeCount() - 1).toBuilder().setOpType("Softmax").clearAttribute());
        byte[] softmax = m.toBuilder().setGraph(g).build().toByteArray();
        assertThatThrownBy(() -> Int8Quantizer.quantize(softmax, ranges, Set.of()))
                .isInstanceOf(ModelInstallException.class).hasMessageContaining("Softmax");
        assertThatThrownBy(() -> Int8Quantizer.quantize(new byte[] {1, 2, 3}, ranges, Set.of()))
                .isInstanceOf(ModelInstallException.class).hasMessageContaining("not an ONNX model");
        assertThatThrownBy(() -> new Int8Quantizer.Range(0.5f, 1f)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Int8Quantizer.Range(-1f, Float.NaN)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void rareOutliersAreClippedWhereSpreadValuesKeepTheirWholeRange() {
        float[] spread = new float[1000];
        for (int i = 0; i < spread.length; i++) {
            spread[i] = i / 999f * 4 - 1;
        }
        Int8Quantizer.Range full = new Int8Quantizer.Range(-1, 3);
        assertThat(Int8Quantizer.leastSquaredError(full, spread, spread.length)).isEqualTo(full);

        // a million small values and two far out: coarser steps for all of them cost more than clipping the two
        float[] outlier = new float[1_000_000];
        Random r = new Random(1);
        for (int i = 0; i < outlier.length; i++) {
            outlier[i] = (r.nextFloat() - 0.5f) * 0.2f;
        }
        outlier[0] = 1;
        outlier[1] = -1;
        Int8Quantizer.Range chosen = Int8Quantizer.leastSquaredError(new Int8Quantizer.Range(-1, 1), outlier, outlier.length);
        assertThat(chosen.max()).isLessThan(1f);
        assertThat(chosen.min()).isGreaterThan(-1f);
    }

    /** x -> Conv c0 -> PRelu p0 -> depthwise Conv c1 -> Add(p0) a -> Conv c1b -> Conv c2 -> Conv y. */
    private static byte[] network(int opset) {
        Random r = new Random(42);
        GraphProto.Builder g = GraphProto.newBuilder().setName("small");
        g.addInput(value("x", SHAPE));
        g.addOutput(value("y", new long[] {1, 6, 16, 16}));
        conv(g, r, "x", "c0", "w0", "b0", 4, 3, 3, 1);
        g.addInitializer(floats("slope", new long[] {4, 1, 1}, 4, r, 0.25f));
        g.addNode(NodeProto.newBuilder().setOpType("PRelu").addInput("c0").addInput("slope").addOutput("p0"));
        conv(g, r, "p0", "c1", "w1", "b1", 4, 1, 3, 4);
        g.addNode(NodeProto.newBuilder().setOpType("Add").addInput("p0").addInput("c1").addOutput("a"));
        conv(g, r, "a", "c1b", "w1b", "b1b", 4, 4, 1, 1);
        conv(g, r, "c1b", "c2", "w2", "b2", 8, 4, 1, 1);
        conv(g, r, "c2", "y", "w3", "b3", 6, 8, 1, 1);
        return ModelProto.newBuilder().setIrVersion(7).addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(opset))
                .setGraph(g).build().toByteArray();
    }

    private static void conv(GraphProto.Builder g, Random r, String in, String out, String w, String b, int oc, int ic,
                             int k, int group) {
        g.addInitializer(floats(w, new long[] {oc, ic, k, k}, oc * ic * k * k, r, 0.5f));
        g.addInitializer(floats(b, new long[] {oc}, oc, r, 0.1f));
        NodeProto.Builder n = NodeProto.newBuilder().setOpType("Conv").setName(out).addInput(in).addInput(w).addInput(b)
                .addOutput(out).addAttribute(ints("pads", k / 2, k / 2, k / 2, k / 2));
        if (group > 1) {
            n.addAttribute(AttributeProto.newBuilder().setName("group").setType(AttributeProto.AttributeType.INT).setI(group));
        }
        g.addNode(n);
    }

    private static AttributeProto ints(String name, long... v) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long x : v) {
            a.addInts(x);
        }
        return a.build();
    }

    private static TensorProto floats(String name, long[] dims, int n, Random r, float scale) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT_VALUE);
        for (long d : dims) {
            t.addDims(d);
        }
        for (int i = 0; i < n; i++) {
            t.addFloatData((float) r.nextGaussian() * scale);
        }
        return t.build();
    }

    private static ValueInfoProto value(String name, long[] shape) {
        TensorShapeProto.Builder s = TensorShapeProto.newBuilder();
        for (long d : shape) {
            s.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(
                TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT_VALUE).setShape(s))).build();
    }

    private static List<float[]> inputs(int n, long seed) {
        Random r = new Random(seed);
        List<float[]> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            float[] x = new float[3 * 16 * 16];
            for (int j = 0; j < x.length; j++) {
                x[j] = (float) r.nextGaussian();
            }
            out.add(x);
        }
        return out;
    }

    private static float[][] run(byte[] model, List<float[]> inputs) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        float[][] out = new float[inputs.size()][];
        try (OrtSession s = OnnxSessions.open(model)) {
            for (int i = 0; i < inputs.size(); i++) {
                try (OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(inputs.get(i)), SHAPE);
                     OrtSession.Result res = s.run(Map.of("x", t))) {
                    FloatBuffer b = ((OnnxTensor) res.get(0)).getFloatBuffer();
                    out[i] = new float[b.remaining()];
                    b.get(out[i]);
                }
            }
        }
        return out;
    }

    private static double cosine(float[] a, float[] b) {
        return new FaceDescriptor("output", a).cosine(new FaceDescriptor("output", b));
    }

    private static ModelProto parse(byte[] b) {
        try {
            return ModelProto.parseFrom(b);
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
    }
}
