package dev.lfr.udfs.model;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Post-training static 8-bit quantisation of a float ONNX model's convolutions, in ONNX's QDQ form: each Conv reads
 * its input through QuantizeLinear/DequantizeLinear (uint8, scale and zero point from calibrated ranges), its weights
 * as int8 per output channel and its bias as int32, and writes through a Q/DQ pair. ONNX Runtime fuses each such
 * group into one QLinearConv, which runs on the CPU's integer dot-product units (AVX-512 VNNI here); the other
 * operators (PRelu, Add) stay in float between the pairs. The activation ranges come from running the float model
 * on real faces ({@link #calibrate}), are committed as data and turned into a model at install time
 * ({@link #quantize}), so an install is deterministic and needs no faces.
 */
public final class Int8Quantizer {
    /** Operators whose meaning did not change up to opset 13, which per-channel DequantizeLinear needs. */
    private static final Set<String> KNOWN_OPS = Set.of("Conv", "Add", "Mul", "PRelu", "Relu", "Reshape", "Flatten",
            "GlobalAveragePool", "MaxPool");
    private static final int QDQ_OPSET = 13;
    /** Values of each tensor kept across all calibration inputs to choose its clipping range. */
    private static final int SAMPLES_PER_TENSOR = 1 << 20;
    private static final int FLOAT = TensorProto.DataType.FLOAT_VALUE;
    private static final int UINT8 = TensorProto.DataType.UINT8_VALUE;
    private static final int INT8 = TensorProto.DataType.INT8_VALUE;
    private static final int INT32 = TensorProto.DataType.INT32_VALUE;

    private Int8Quantizer() {}

    /** The smallest and largest value a tensor took over the calibration inputs (both include zero). */
    public record Range(float min, float max) {
        public Range {
            if (!(min <= 0 && max >= 0 && Float.isFinite(min) && Float.isFinite(max))) {
                throw new IllegalArgumentException("a calibrated range must be finite and include 0, not [" + min + ", "
                        + max + "]");
            }
        }

        Range union(Range o) {
            return new Range(Math.min(min, o.min), Math.max(max, o.max));
        }

        float scale() {
            return Math.max((max - min) / 255f, 1e-8f);
        }

        int zeroPoint() {
            return Math.max(0, Math.min(255, Math.round(-min / scale())));
        }
    }

    /** The tensors whose ranges {@link #quantize} needs: every Conv's input and output, in graph order. */
    public static List<String> calibratedTensors(byte[] model) {
        Set<String> names = new LinkedHashSet<>();
        for (NodeProto n : parse(model).getGraph().getNodeList()) {
            if ("Conv".equals(n.getOpType())) {
                names.add(n.getInput(0));
                names.add(n.getOutput(0));
            }
        }
        return List.copyOf(names);
    }

    /**
     * The convolutions that lose most at 8 bits, named by output, to keep in float: depthwise ones (one filter a
     * channel, so per-tensor activation scales fit their channels badly, and ONNX Runtime gains little on them), the
     * first (it reads the image) and the last two that are not depthwise (the embedding head). Measured on
     * fr-feature-512: the embedding's cosine to the float model's on LFW faces rose from 0.985 to 0.997, and the
     * model became faster rather than slower, since quantising and dequantising around a depthwise Conv costs more
     * than integer arithmetic saves there.
     */
    public static Set<String> sensitiveConvs(byte[] model) {
        List<NodeProto> convs = parse(model).getGraph().getNodeList().stream()
                .filter(n -> "Conv".equals(n.getOpType())).toList();
        Set<String> keep = new java.util.TreeSet<>();
        List<String> pointwise = new ArrayList<>();
        for (NodeProto n : convs) {
            boolean depthwise = n.getAttributeList().stream().anyMatch(a -> "group".equals(a.getName()) && a.getI() > 1);
            if (depthwise) {
                keep.add(n.getOutput(0));
            } else {
                pointwise.add(n.getOutput(0));
            }
        }
        if (!convs.isEmpty()) {
            keep.add(convs.get(0).getOutput(0));
        }
        keep.addAll(pointwise.subList(Math.max(0, pointwise.size() - 2), pointwise.size()));
        return keep;
    }

    /**
     * Runs the float model on each input (one sample of {@code shape}, in the model's own layout and normalisation)
     * and returns the range of every tensor {@link #quantize} needs: per tensor, the range whose 8-bit steps and
     * clipping lose least (squared error) on a sample of its values, among the full range shrunk in steps of 5%.
     */
    public static Map<String, Range> calibrate(byte[] model, List<float[]> inputs, long[] shape) {
        ModelProto m = parse(model);
        List<String> tensors = calibratedTensors(model);
        GraphProto.Builder g = m.getGraph().toBuilder();
        Set<String> outputs = new java.util.HashSet<>();
        m.getGraph().getOutputList().forEach(o -> outputs.add(o.getName()));
        for (String t : tensors) {
            if (!outputs.contains(t)) {
                g.addOutput(ValueInfoProto.newBuilder().setName(t)
                        .setType(TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder().setElemType(FLOAT))));
            }
        }
        Map<String, Range> ranges = new TreeMap<>();
        Map<String, float[]> samples = new HashMap<>();
        Map<String, Integer> sampled = new HashMap<>();
        int perInput = SAMPLES_PER_TENSOR / Math.max(1, inputs.size()) + 1;
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession s = OnnxSessions.open(m.toBuilder().setGraph(g).build().toByteArray())) {
            String input = s.getInputNames().iterator().next();
            for (float[] x : inputs) {
                try (OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), shape);
                     OrtSession.Result r = s.run(Map.of(input, t), new LinkedHashSet<>(tensors))) {
                    for (String name : tensors) {
                        FloatBuffer b = ((OnnxTensor) r.get(name).orElseThrow()).getFloatBuffer();
                        float[] kept = samples.computeIfAbsent(name, k -> new float[perInput * inputs.size()]);
                        int at = sampled.getOrDefault(name, 0);
                        sampled.put(name, at + sampleEvenly(b, kept, at, perInput));
                        float min = 0;
                        float max = 0;
                        while (b.hasRemaining()) {
                            float v = b.get();
                            min = Math.min(min, v);
                            max = Math.max(max, v);
                        }
                        ranges.merge(name, new Range(min, max), Range::union);
                    }
                }
            }
        } catch (OrtException e) {
            throw new ModelInstallException("calibration run failed: " + e.getMessage(), e);
        }
        // the full range spends the 256 levels on rare outliers; clipping them loses less than coarse steps do
        ranges.replaceAll((name, full) -> leastSquaredError(full, samples.get(name), sampled.get(name)));
        return ranges;
    }

    /**
     * Copies {@code perInput} values spread evenly over the whole of {@code values} (all of them where there are fewer)
     * into {@code kept} from {@code at}, leaving the buffer's position as it was; returns how many. A whole-number
     * stride would leave a tensor's end unsampled (a stride of 2 where there are 2.4 values a sample leaves the last 17% out), or
     * let one input fill the room of the inputs after it.
     */
    static int sampleEvenly(FloatBuffer values, float[] kept, int at, int perInput) {
        int n = values.remaining();
        int take = Math.min(Math.min(n, perInput), kept.length - at);
        int start = values.position();
        for (int j = 0; j < take; j++) {
            kept[at + j] = values.get(start + (int) ((long) j * n / take));
        }
        return take;
    }

    /** The range, among the full one shrunk in steps, whose 8-bit rounding and clipping lose least on the samples. */
    static Range leastSquaredError(Range full, float[] values, int n) {
        Range best = full;
        double bestError = Double.MAX_VALUE;
        for (int step = 0; step <= 14; step++) {
            double f = 1 - step * 0.05;
            Range r = new Range((float) (full.min() * f), (float) (full.max() * f));
            float scale = r.scale();
            int zero = r.zeroPoint();
            double error = 0;
            for (int i = 0; i < n; i++) {
                long q = Math.max(0, Math.min(255, Math.round(values[i] / scale) + zero));
                double d = (q - zero) * scale - values[i];
                error += d * d;
            }
            if (error < bestError) {
                bestError = error;
                best = r;
            }
        }
        return best;
    }

    /**
     * The QDQ model: every Conv quantised with {@code ranges} (from {@link #calibrate} on the same model), except
     * those whose output is named in {@code keepFloat} (layers too sensitive to lose precision).
     */
    public static byte[] quantize(byte[] model, Map<String, Range> ranges, Set<String> keepFloat) {
        ModelProto m = parse(model);
        GraphProto g = m.getGraph();
        for (NodeProto n : g.getNodeList()) {
            if (!KNOWN_OPS.contains(n.getOpType())) {
                throw new ModelInstallException("cannot quantise a model with a " + n.getOpType() + " node");
            }
        }
        for (String t : calibratedTensors(model)) {
            if (!ranges.containsKey(t)) {
                throw new ModelInstallException("no calibrated range for tensor " + t + " of the model");
            }
        }
        Map<String, TensorProto> initializers = new HashMap<>();
        g.getInitializerList().forEach(t -> initializers.put(t.getName(), t));
        Set<String> graphOutputs = new java.util.HashSet<>();
        g.getOutputList().forEach(o -> graphOutputs.add(o.getName()));

        Rewrite w = new Rewrite(ranges);
        for (NodeProto node : g.getNodeList()) {
            NodeProto.Builder b = node.toBuilder();
            for (int i = 0; i < b.getInputCount(); i++) {
                b.setInput(i, w.renamed.getOrDefault(b.getInput(i), b.getInput(i)));
            }
            if (!"Conv".equals(node.getOpType()) || keepFloat.contains(node.getOutput(0))) {
                w.nodes.add(b.build());
                continue;
            }
            String x = node.getInput(0);
            b.setInput(0, w.activation(x, b.getInput(0)));
            TensorProto weight = initializers.get(node.getInput(1));
            if (weight == null) {
                throw new ModelInstallException("Conv " + node.getName() + " has weights that are not constant");
            }
            float[] weightScales = w.weights(weight);
            b.setInput(1, weight.getName() + "_dq");
            if (node.getInputCount() > 2) {
                TensorProto bias = initializers.get(node.getInput(2));
                w.bias(bias, ranges.get(x).scale(), weightScales);
                b.setInput(2, bias.getName() + "_dq");
            }
            String y = node.getOutput(0);
            b.setOutput(0, y + "_float");
            w.nodes.add(b.build());
            // the Q/DQ pair after the Conv is what lets ONNX Runtime fuse it into a QLinearConv
            String dequantized = graphOutputs.contains(y) ? y : y + "_dq";
            w.pair(y + "_float", ranges.get(y), y, dequantized);
            w.renamed.put(y, dequantized);
            w.quantized.put(y, dequantized);
        }
        GraphProto.Builder out = g.toBuilder().clearNode().addAllNode(w.nodes).clearInitializer();
        for (TensorProto t : g.getInitializerList()) {
            if (!w.replaced.contains(t.getName())) {
                out.addInitializer(t);
            }
        }
        out.addAllInitializer(w.initializers);
        ModelProto.Builder result = m.toBuilder().setGraph(out).clearOpsetImport();
        for (OperatorSetIdProto o : m.getOpsetImportList()) {
            boolean onnx = o.getDomain().isEmpty() || "ai.onnx".equals(o.getDomain());
            result.addOpsetImport(onnx && o.getVersion() < QDQ_OPSET ? o.toBuilder().setVersion(QDQ_OPSET).build() : o);
        }
        return result.build().toByteArray();
    }

    /** The nodes and initialisers of the rewritten graph, as they are added. */
    private static final class Rewrite {
        final Map<String, Range> ranges;
        final List<NodeProto> nodes = new ArrayList<>();
        final List<TensorProto> initializers = new ArrayList<>();
        final Set<String> replaced = new java.util.HashSet<>();
        final Map<String, String> renamed = new HashMap<>();
        /** Float tensor name -> the name of its dequantised copy, made once however many Convs read it. */
        final Map<String, String> quantized = new LinkedHashMap<>();

        Rewrite(Map<String, Range> ranges) {
            this.ranges = ranges;
        }

        String activation(String name, String current) {
            return quantized.computeIfAbsent(name, n -> {
                pair(current, ranges.get(n), n, n + "_dq");
                return n + "_dq";
            });
        }

        void pair(String input, Range range, String prefix, String output) {
            initializers.add(TensorProto.newBuilder().setName(prefix + "_scale").setDataType(FLOAT)
                    .addFloatData(range.scale()).build());
            initializers.add(TensorProto.newBuilder().setName(prefix + "_zero").setDataType(UINT8)
                    .addInt32Data(range.zeroPoint()).build());
            nodes.add(NodeProto.newBuilder().setName(prefix + "_Q").setOpType("QuantizeLinear").addInput(input)
                    .addInput(prefix + "_scale").addInput(prefix + "_zero").addOutput(prefix + "_q").build());
            nodes.add(NodeProto.newBuilder().setName(prefix + "_DQ").setOpType("DequantizeLinear").addInput(prefix + "_q")
                    .addInput(prefix + "_scale").addInput(prefix + "_zero").addOutput(output).build());
        }

        /** Symmetric int8 weights, one scale per output channel; returns the scales. */
        float[] weights(TensorProto weight) {
            float[] v = floats(weight);
            int channels = (int) weight.getDims(0);
            int per = v.length / channels;
            float[] scales = new float[channels];
            byte[] q = new byte[v.length];
            for (int c = 0; c < channels; c++) {
                float max = 0;
                for (int k = 0; k < per; k++) {
                    max = Math.max(max, Math.abs(v[c * per + k]));
                }
                scales[c] = Math.max(max / 127f, 1e-12f);
                for (int k = 0; k < per; k++) {
                    q[c * per + k] = (byte) Math.max(-127, Math.min(127, Math.round(v[c * per + k] / scales[c])));
                }
            }
            dequantized(weight, INT8, weight.getDimsList(), q, scales, new byte[channels]);
            return scales;
        }

        /** int32 bias at the scale the integer convolution accumulates in: input scale times weight scale. */
        void bias(TensorProto bias, float inputScale, float[] weightScales) {
            float[] v = floats(bias);
            float[] scales = new float[v.length];
            ByteBuffer q = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
            for (int c = 0; c < v.length; c++) {
                scales[c] = inputScale * weightScales[c];
                q.putInt((int) Math.max(Integer.MIN_VALUE + 1, Math.min(Integer.MAX_VALUE, Math.round((double) v[c] / scales[c]))));
            }
            dequantized(bias, INT32, bias.getDimsList(), q.array(), scales, new byte[4 * v.length]);
        }

        private void dequantized(TensorProto original, int type, List<Long> dims, byte[] raw, float[] scales, byte[] zeros) {
            String n = original.getName();
            replaced.add(n);
            initializers.add(TensorProto.newBuilder().setName(n + "_quantized").setDataType(type).addAllDims(dims)
                    .setRawData(ByteString.copyFrom(raw)).build());
            TensorProto.Builder s = TensorProto.newBuilder().setName(n + "_scale").setDataType(FLOAT).addDims(scales.length);
            for (float f : scales) {
                s.addFloatData(f);
            }
            initializers.add(s.build());
            initializers.add(TensorProto.newBuilder().setName(n + "_zero").setDataType(type).addDims(scales.length)
                    .setRawData(ByteString.copyFrom(zeros)).build());
            nodes.add(NodeProto.newBuilder().setName(n + "_DQ").setOpType("DequantizeLinear").addInput(n + "_quantized")
                    .addInput(n + "_scale").addInput(n + "_zero").addOutput(n + "_dq")
                    .addAttribute(AttributeProto.newBuilder().setName("axis").setType(AttributeProto.AttributeType.INT).setI(0))
                    .build());
        }
    }

    static float[] floats(TensorProto t) {
        if (t.getDataType() != FLOAT) {
            throw new ModelInstallException("initialiser " + t.getName() + " is not float32");
        }
        if (t.getFloatDataCount() > 0) {
            float[] v = new float[t.getFloatDataCount()];
            for (int i = 0; i < v.length; i++) {
                v[i] = t.getFloatData(i);
            }
            return v;
        }
        FloatBuffer b = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        float[] v = new float[b.remaining()];
        b.get(v);
        return v;
    }

    private static ModelProto parse(byte[] model) {
        try {
            return ModelProto.parseFrom(model);
        } catch (InvalidProtocolBufferException e) {
            throw new ModelInstallException("not an ONNX model: " + e.getMessage(), e);
        }
    }
}
