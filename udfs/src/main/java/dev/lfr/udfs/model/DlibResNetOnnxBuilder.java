package dev.lfr.udfs.model;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.Map;

/**
 * Rebuilds the dlib ResNet face descriptor (as shipped in face-api.js's {@code face_recognition_model.bin}) as an
 * ONNX graph, so that it runs on ONNX Runtime. face-api.js keeps the architecture in code
 * ({@code src/faceRecognitionNet}), not in the weights file, so this class mirrors that code: a 7x7/2 conv and a 3x3/2
 * max pool, residual blocks of two 3x3 convs each followed by a per-channel affine "scale" layer, four down-sampling
 * blocks whose shortcut is a 2x2 average pool padded with zero channels (and with a zero bottom row and right column
 * when the conv path is one smaller), a global average and a 256x128 fully connected layer.
 *
 * <p>Each conv's bias and the following scale layer are folded into the conv weights ({@code w*s}, {@code b*s+t}).
 * The graph input is {@code input} float [N,3,150,150], already normalised as the catalog says; the output is
 * {@code descriptor} float [N,128]. Stateless; the static methods are thread-safe.
 */
public final class DlibResNetOnnxBuilder {

    public static final String INPUT = "input";
    public static final String OUTPUT = "descriptor";
    private static final int OPSET = 13;

    private final Map<String, float[]> weights;
    private final Map<String, int[]> shapes;
    private final GraphProto.Builder graph = GraphProto.newBuilder().setName("dlib_resnet_128");
    private int counter;

    private DlibResNetOnnxBuilder(Map<String, float[]> weights, Map<String, int[]> shapes) {
        this.weights = weights;
        this.shapes = shapes;
    }

    /**
     * @param weightsManifest face-api.js's {@code face_recognition_model-weights_manifest.json}
     * @param weightsBin      the matching {@code face_recognition_model.bin}
     * @return the serialised ONNX model
     */
    public static byte[] build(byte[] weightsManifest, byte[] weightsBin) throws IOException {
        Map<String, float[]> weights = new HashMap<>();
        Map<String, int[]> shapes = new HashMap<>();
        readTfjsWeights(weightsManifest, weightsBin, weights, shapes);
        return new DlibResNetOnnxBuilder(weights, shapes).buildModel().toByteArray();
    }

    /** Decodes a tfjs weights manifest: float32 tensors, raw or uint8-quantised as {@code q * scale + min}. */
    static void readTfjsWeights(byte[] manifestJson, byte[] bin, Map<String, float[]> weights, Map<String, int[]> shapes)
            throws IOException {
        JsonNode groups = ModelCatalog.JSON.readTree(manifestJson);
        ByteBuffer buf = ByteBuffer.wrap(bin).order(ByteOrder.LITTLE_ENDIAN);
        for (JsonNode group : groups) {
            for (JsonNode w : group.get("weights")) {
                String name = w.get("name").asText();
                int[] shape = ModelCatalog.JSON.convertValue(w.get("shape"), int[].class);
                int n = 1;
                for (int d : shape) {
                    n *= d;
                }
                float[] values = new float[n];
                JsonNode q = w.get("quantization");
                if (q == null) {
                    buf.asFloatBuffer().get(values);
                    buf.position(buf.position() + 4 * n);
                } else if ("uint8".equals(q.get("dtype").asText())) {
                    double scale = q.get("scale").asDouble();
                    double min = q.get("min").asDouble();
                    for (int i = 0; i < n; i++) {
                        values[i] = (float) ((buf.get() & 0xff) * scale + min);
                    }
                } else {
                    throw new IOException("unsupported quantisation " + q.get("dtype") + " for " + name);
                }
                // the manifest lists "fc" twice (same bytes once); the first occurrence wins
                weights.putIfAbsent(name, values);
                shapes.putIfAbsent(name, shape);
            }
        }
        if (buf.hasRemaining()) {
            throw new IOException(buf.remaining() + " bytes of weights left unread: the manifest does not match the file");
        }
    }

    private ModelProto buildModel() {
        graph.addInput(valueInfo(INPUT, "N", 3, 150, 150));
        String x = convLayer(INPUT, "conv32_down", 2, 0, true);
        x = node("MaxPool", new String[] {x}, ints("kernel_shape", 3, 3), ints("strides", 2, 2));
        for (String block : new String[] {"conv32_1", "conv32_2", "conv32_3"}) {
            x = residual(x, block);
        }
        x = residualDown(x, "conv64_down", 32, 64, false);
        for (String block : new String[] {"conv64_1", "conv64_2", "conv64_3"}) {
            x = residual(x, block);
        }
        x = residualDown(x, "conv128_down", 64, 128, false);
        x = residual(x, "conv128_1");
        x = residual(x, "conv128_2");
        x = residualDown(x, "conv256_down", 128, 256, true);
        x = residual(x, "conv256_1");
        x = residual(x, "conv256_2");
        x = residualDown(x, "conv256_down_out", 256, 256, true);
        x = node("ReduceMean", new String[] {x}, ints("axes", 2, 3), intAttr("keepdims", 0));
        String fc = initializer("fc", weights.get("fc"), 256, 128);
        graph.addNode(NodeProto.newBuilder().setOpType("MatMul").addInput(x).addInput(fc).addOutput(OUTPUT));
        graph.addOutput(valueInfo(OUTPUT, "N", 128));
        return ModelProto.newBuilder()
                .setIrVersion(7)
                .setProducerName("lfr DlibResNetOnnxBuilder")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                .setGraph(graph)
                .build();
    }

    private String residual(String x, String block) {
        String out = convLayer(x, block + "/conv1", 1, 1, true);
        out = convLayer(out, block + "/conv2", 1, 1, false);
        return node("Relu", new String[] {node("Add", new String[] {out, x})});
    }

    /**
     * @param oddInput true where the input side is odd and small enough that the strided conv path comes out one
     *                 smaller than the pooled shortcut (8 -> 3 vs 4, 4 -> 1 vs 2): face-api.js then appends a zero
     *                 row at the bottom and a zero column at the right of the conv path.
     */
    private String residualDown(String x, String block, int inChannels, int outChannels, boolean oddInput) {
        String out = convLayer(x, block + "/conv1", 2, 0, true);
        out = convLayer(out, block + "/conv2", 1, 1, false);
        if (oddInput) {
            out = pad(out, 0, 0, 0, 0, 0, 0, 1, 1);
        }
        String pooled = node("AveragePool", new String[] {x}, ints("kernel_shape", 2, 2), ints("strides", 2, 2));
        if (outChannels != inChannels) {
            pooled = pad(pooled, 0, 0, 0, 0, 0, outChannels - inChannels, 0, 0);
        }
        return node("Relu", new String[] {node("Add", new String[] {pooled, out})});
    }

    /** conv + bias + per-channel scale layer, folded into one Conv; optionally followed by Relu. */
    private String convLayer(String x, String prefix, int stride, int pad, boolean relu) {
        float[] filters = weights.get(prefix + "/conv/filters");
        int[] hwio = shapes.get(prefix + "/conv/filters");
        float[] bias = weights.get(prefix + "/conv/bias");
        float[] scale = weights.get(prefix + "/scale/weights");
        float[] shift = weights.get(prefix + "/scale/biases");
        if (filters == null || bias == null || scale == null || shift == null) {
            throw new IllegalStateException("weights for " + prefix + " are missing");
        }
        int kh = hwio[0];
        int kw = hwio[1];
        int in = hwio[2];
        int out = hwio[3];
        float[] oihw = new float[filters.length];
        for (int h = 0; h < kh; h++) {
            for (int w = 0; w < kw; w++) {
                for (int i = 0; i < in; i++) {
                    for (int o = 0; o < out; o++) {
                        oihw[((o * in + i) * kh + h) * kw + w] = filters[((h * kw + w) * in + i) * out + o] * scale[o];
                    }
                }
            }
        }
        float[] folded = new float[out];
        for (int o = 0; o < out; o++) {
            folded[o] = bias[o] * scale[o] + shift[o];
        }
        String wName = initializer(prefix + "/W", oihw, out, in, kh, kw);
        String bName = initializer(prefix + "/B", folded, out);
        String y = node("Conv", new String[] {x, wName, bName},
                ints("kernel_shape", kh, kw), ints("strides", stride, stride), ints("pads", pad, pad, pad, pad));
        return relu ? node("Relu", new String[] {y}) : y;
    }

    /** Zero padding on an NCHW tensor; the eight values are ONNX's begin... then end... order. */
    private String pad(String x, long... pads) {
        String padsName = "pads_" + (counter++);
        graph.addInitializer(TensorProto.newBuilder().setName(padsName).setDataType(TensorProto.DataType.INT64.getNumber())
                .addDims(pads.length).addAllInt64Data(java.util.Arrays.stream(pads).boxed().toList()));
        return node("Pad", new String[] {x, padsName});
    }

    private String node(String op, String[] inputs, AttributeProto... attrs) {
        String out = op.toLowerCase() + "_" + (counter++);
        NodeProto.Builder n = NodeProto.newBuilder().setOpType(op).setName(out).addOutput(out);
        for (String i : inputs) {
            n.addInput(i);
        }
        for (AttributeProto a : attrs) {
            n.addAttribute(a);
        }
        graph.addNode(n);
        return out;
    }

    private String initializer(String name, float[] values, long... dims) {
        ByteBuffer raw = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        raw.asFloatBuffer().put(values);
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT.getNumber())
                .setRawData(com.google.protobuf.ByteString.copyFrom(raw.array()));
        for (long d : dims) {
            t.addDims(d);
        }
        graph.addInitializer(t);
        return name;
    }

    private static AttributeProto ints(String name, long... values) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long v : values) {
            a.addInts(v);
        }
        return a.build();
    }

    private static AttributeProto intAttr(String name, long value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(value).build();
    }

    /** A float tensor type whose first dimension is symbolic (the batch). */
    private static ValueInfoProto valueInfo(String name, String batchParam, long... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder()
                .addDim(TensorShapeProto.Dimension.newBuilder().setDimParam(batchParam));
        for (long d : dims) {
            shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(
                TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT.getNumber()).setShape(shape)))
                .build();
    }
}
