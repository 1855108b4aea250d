package dev.lfr.udfs.model;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Creates ONNX Runtime sessions the way this project runs them: one intra-op and one inter-op thread, full graph
 * optimisation. Parallelism comes from operator instances (one session each), not from threads inside a session:
 * on two cores two intra-op threads made timings vary fourfold between runs.
 */
public final class OnnxSessions {
    private OnnxSessions() {}

    public static OrtSession open(byte[] model) {
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(1);
            options.setInterOpNumThreads(1);
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            // tiny weights drive some activations into denormal range, which is slow on x86; flushing them measured
            // 6.4 -> 5.8 ms a face for fr-feature-512 with no change in LFW accuracy
            options.addConfigEntry("session.set_denormal_as_zero", "1");
            // ORT warns about unused initialisers in the npm models on every load; errors still show
            options.setSessionLogLevel(ai.onnxruntime.OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR);
            return OrtEnvironment.getEnvironment().createSession(model, options);
        } catch (OrtException e) {
            throw new ModelInstallException("ONNX Runtime cannot load the model: " + e.getMessage(), e);
        }
    }

    static List<ModelManifest.TensorInfo> describe(Map<String, NodeInfo> nodes) {
        List<ModelManifest.TensorInfo> out = new ArrayList<>();
        for (NodeInfo n : nodes.values()) {
            if (n.getInfo() instanceof TensorInfo t) {
                out.add(new ModelManifest.TensorInfo(n.getName(), t.getShape(), t.type.name()));
            }
        }
        return out;
    }

    static List<ModelManifest.TensorInfo> inputs(OrtSession s) throws OrtException {
        return describe(s.getInputInfo());
    }

    static List<ModelManifest.TensorInfo> outputs(OrtSession s) throws OrtException {
        return describe(s.getOutputInfo());
    }
}
