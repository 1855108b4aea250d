package dev.lfr.udfs.quality;

import java.util.ArrayList;
import java.util.List;

/**
 * Decides whether a face is worth embedding. Faces too small, too blurred or too turned give unreliable descriptors
 * and false alerts; rejecting them early also saves the embedding cost. Immutable and thread-safe.
 *
 * @param minFaceSize  minimum box side, pixels
 * @param minInterEye  minimum inter-eye distance, pixels
 * @param minSharpness minimum Laplacian variance on the 64x64 face patch
 * @param maxYaw       maximum |yaw| in inter-eye distances
 * @param maxRollDeg   maximum |roll|, degrees
 * @param minScore     minimum detector score: the detector reports faces from 0.5 for recall, but only confident
 *                     ones are worth a descriptor (low-score detections on overhead CCTV were windows and grass)
 */
public record QualityGate(double minFaceSize, double minInterEye, double minSharpness, double maxYaw,
                          double maxRollDeg, double minScore) implements java.io.Serializable {

    /** Stable reason codes; they appear in metrics and CLI output. */
    public enum Reason { TOO_SMALL, EYES_TOO_CLOSE, BLURRED, TURNED, TILTED, LOW_SCORE }

    public static QualityGate defaults() {
        return new QualityGate(32, 12, 5, 0.45, 40, 0.65);
    }

    /** Lets every detected face through: for protocols that must score every image, such as LFW pairs. */
    public static QualityGate open() {
        return new QualityGate(0, 0, 0, Double.MAX_VALUE, 180, 0);
    }

    /** Reasons to reject the face; empty when it passes. */
    public List<Reason> check(QualityReport q) {
        List<Reason> reasons = new ArrayList<>(1);
        if (q.faceSize() < minFaceSize) {
            reasons.add(Reason.TOO_SMALL);
        }
        if (q.interEye() < minInterEye) {
            reasons.add(Reason.EYES_TOO_CLOSE);
        }
        if (q.sharpness() < minSharpness) {
            reasons.add(Reason.BLURRED);
        }
        if (Math.abs(q.yaw()) > maxYaw) {
            reasons.add(Reason.TURNED);
        }
        if (Math.abs(q.rollDeg()) > maxRollDeg) {
            reasons.add(Reason.TILTED);
        }
        if (q.score() < minScore) {
            reasons.add(Reason.LOW_SCORE);
        }
        return reasons;
    }

    public boolean passes(QualityReport q) {
        return check(q).isEmpty();
    }
}
