package dev.lfr.udfs.quality;

/**
 * How usable one detected face is for recognition.
 *
 * @param faceSize   box side in frame pixels
 * @param interEye   distance between the eye keypoints in frame pixels
 * @param sharpness  variance of the Laplacian of the face, grey, resampled to 64x64 (higher is sharper)
 * @param yaw        nose offset from the eye midpoint along the eye line, in inter-eye distances (0 = frontal)
 * @param rollDeg    tilt of the eye line in degrees
 * @param score      detector score
 */
public record QualityReport(double faceSize, double interEye, double sharpness, double yaw, double rollDeg,
                            double score) {
    /** A single number to pick the best sightings of a track: bigger, sharper, more frontal is better. */
    public double utility() {
        return Math.min(interEye, 60) * Math.min(sharpness, 400) / 400 * (1 - Math.min(1, Math.abs(yaw))) * score;
    }
}
