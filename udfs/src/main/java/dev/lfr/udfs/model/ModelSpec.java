package dev.lfr.udfs.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * What the engine needs to know about one model: where it comes from, how to feed it and, for embedders, how to
 * align a face for it and which cosine distances mean "same person": {@code verifyThreshold} for 1:1 comparison,
 * the stricter {@code searchThreshold} for searching one face among many. Everything model-specific lives here, so
 * a new embedder is added by configuration, not code. Immutable.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ModelSpec(
        String id,
        String role,
        @JsonProperty("package") String packageName,
        String source,
        String build,
        String file,
        String license,
        String provenance,
        InputSpec input,
        Integer dimension,
        AlignmentSpec alignment,
        Double verifyThreshold,
        Double searchThreshold) {

    /** Pixel layout and normalisation: {@code value = (pixel - mean[c]) / std[c]}, channels in {@code channels} order. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record InputSpec(String layout, int width, int height, String channels, double[] mean, double[] std) {
        public boolean nchw() {
            return "NCHW".equals(layout);
        }

        public int channelCount() {
            return "GRAY".equals(channels) ? 1 : 3;
        }
    }

    /**
     * Which landmarks the aligner uses (BlazeFace's own keypoints or a 68-point landmark model), where they land
     * in the chip ({@code template}, pixels, same order as {@code points}) and, for a landmark model, how much to
     * enlarge the face box it is run on ({@code landmarkBox}).
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record AlignmentSpec(String landmarks, List<String> points, double[][] template, Double landmarkBox,
                                String comment) {
        @JsonCreator
        public AlignmentSpec(@JsonProperty("landmarks") String landmarks, @JsonProperty("points") List<String> points,
                             @JsonProperty("template") double[][] template,
                             @JsonProperty("landmarkBox") Double landmarkBox, @JsonProperty("comment") String comment) {
            if (points.size() != template.length || points.size() < 2) {
                throw new IllegalArgumentException("alignment needs as many template points as landmark names (>= 2)");
            }
            this.landmarks = landmarks;
            this.points = List.copyOf(points);
            this.template = template;
            this.landmarkBox = landmarkBox;
            this.comment = comment;
        }

        /** How much to enlarge the detector's box before running a landmark model on it (1 = as detected). */
        public double landmarkBoxScale() {
            return landmarkBox == null ? 1.0 : landmarkBox;
        }

        public boolean usesBlazeFaceKeypoints() {
            return "blazeface".equals(landmarks);
        }
    }
}
