package dev.lfr.udfs.model;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lfr.udfs.embed.FaceEmbedder;
import dev.lfr.udfs.image.FrameImage;
import dev.lfr.udfs.image.ImageDecoder;
import dev.lfr.udfs.testing.TestData;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Our ONNX rebuild of the dlib ResNet against face-api.js itself: the committed fixture holds face-api.js's
 * descriptors (pure-JS tfjs, see src/test/node/dlib-reference/regenerate.sh) for 24 real face chips.
 */
class DlibResNetConformanceTest {
    private static final double TOLERANCE = 1e-3;

    @Test
    void rebuiltGraphMatchesFaceApiJsOnRealFaces() throws Exception {
        Path dlib = TestData.requireShared("dlib");
        JsonNode fixture;
        try (InputStream in = getClass().getResourceAsStream("/conformance/dlib-resnet-reference.json")) {
            fixture = ModelCatalog.JSON.readTree(in);
        }
        JsonNode faces = fixture.get("faces");
        assertThat(faces.size()).isGreaterThanOrEqualTo(20);
        ImageDecoder decoder = new ImageDecoder();
        double worst = 0;
        try (FaceEmbedder embedder = new FaceEmbedder(TestData.models(), "dlib-resnet-128", 1)) {
            for (JsonNode face : faces) {
                try (FrameImage chip = decoder.decode(dlib.resolve(face.get("source").asText()))) {
                    // the same input bytes as the reference, or the comparison means nothing
                    assertThat(ModelInstaller.sha256(ConformanceInputs.rgb(chip)))
                            .as("decoded pixels of %s", face.get("source").asText())
                            .isEqualTo(face.get("rgbSha256").asText());
                    float[] ours = embedder.rawOutputs(List.of(chip))[0];
                    JsonNode ref = face.get("descriptor");
                    assertThat(ours).hasSize(ref.size());
                    for (int i = 0; i < ours.length; i++) {
                        worst = Math.max(worst, Math.abs(ours[i] - ref.get(i).asDouble()));
                    }
                }
            }
        }
        System.out.printf("dlib ResNet conformance: max abs difference %.2e over %d faces%n", worst, faces.size());
        assertThat(worst).isLessThan(TOLERANCE);
    }
}
