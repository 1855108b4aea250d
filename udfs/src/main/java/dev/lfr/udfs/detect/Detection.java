package dev.lfr.udfs.detect;

import java.util.List;

/**
 * One face found by {@link FaceDetector}: box, score in [0,1] and BlazeFace's six keypoints in frame pixels, in this
 * order: the subject's right eye (image left), left eye, nose tip, mouth centre, right ear tragion, left ear tragion.
 * Immutable.
 */
public record Detection(Box box, double score, List<Point> keypoints) {
    public static final int RIGHT_EYE = 0;
    public static final int LEFT_EYE = 1;
    public static final int NOSE_TIP = 2;
    public static final int MOUTH_CENTRE = 3;
    public static final int KEYPOINTS = 6;

    public Detection {
        keypoints = List.copyOf(keypoints);
        if (keypoints.size() != KEYPOINTS) {
            throw new IllegalArgumentException("BlazeFace gives 6 keypoints, got " + keypoints.size());
        }
    }

    public Point keypoint(int index) {
        return keypoints.get(index);
    }

}
