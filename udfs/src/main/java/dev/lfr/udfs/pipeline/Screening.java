package dev.lfr.udfs.pipeline;

import java.io.Serializable;

/**
 * A cheaper embedder that screens faces before the exact one: every face is embedded by the screening model and
 * searched against the watchlist, which stays enrolled with the exact model; a face whose best score falls within
 * {@code margin} of the decision threshold is embedded again by the exact model and searched again, and only that
 * second score decides. The screening model must be a reduced form of the exact one (same network, same output
 * space, such as its 8-bit build), so that its scores differ from the exact ones by less than the margin: then every
 * decision is the exact model's, and the exact model runs only on the faces near the threshold.
 *
 * @param model  the screening embedder's model id; null when off
 * @param margin how far from the threshold (in cosine similarity) a screened score must be to stand, above 0, at most 1
 */
public record Screening(String model, double margin) implements Serializable {
    /**
     * The default margin: above the largest move between a screened and an exact score that fr-feature-512-int8 made
     * on LFW (0.030 over 2,256 pairs, 0.033 over 8,685 searches; 0.040 and 0.034 with its first calibration;
     * docs/benchmarks.md).
     */
    public static final double DEFAULT_MARGIN = 0.05;

    public Screening {
        if (model != null && model.isBlank()) {
            model = null;
        }
        if (!(margin > 0 && margin <= 1)) { // NaN would let every screened score stand
            throw new IllegalArgumentException("the screening margin must be above 0 and at most 1, not " + margin);
        }
    }

    public static Screening off() {
        return new Screening(null, DEFAULT_MARGIN);
    }

    public boolean on() {
        return model != null;
    }

    /**
     * Whether a face screened at {@code score} must be embedded again by the exact model, for a decision at
     * {@code threshold}: with screening on, when the score is within the margin of it, or not a number.
     */
    public boolean unsure(double score, double threshold) {
        return on() && !(Math.abs(score - threshold) >= margin);
    }
}
