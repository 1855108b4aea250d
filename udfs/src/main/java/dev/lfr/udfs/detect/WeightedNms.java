package dev.lfr.udfs.detect;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * MediaPipe's weighted non-maximum suppression: take the best remaining detection, gather every detection that
 * overlaps it by more than the IoU threshold, and replace the group by its score-weighted mean box and keypoints
 * (keeping the best score). Averaging steadies boxes and keypoints across the many anchors that fire on one face,
 * and merges duplicates from overlapping tiles. Stateless.
 */
final class WeightedNms {
    private WeightedNms() {}

    static List<Detection> apply(List<Detection> detections, double iouThreshold) {
        List<Detection> remaining = new ArrayList<>(detections);
        remaining.sort(Comparator.comparingDouble(Detection::score).reversed());
        List<Detection> out = new ArrayList<>();
        while (!remaining.isEmpty()) {
            Detection best = remaining.get(0);
            List<Detection> group = new ArrayList<>();
            List<Detection> rest = new ArrayList<>();
            for (Detection d : remaining) {
                (d.box().iou(best.box()) > iouThreshold ? group : rest).add(d);
            }
            out.add(weightedMean(best, group));
            remaining = rest;
        }
        return out;
    }

    private static Detection weightedMean(Detection best, List<Detection> group) {
        double total = 0;
        double x = 0;
        double y = 0;
        double w = 0;
        double h = 0;
        double[] kp = new double[Detection.KEYPOINTS * 2];
        for (Detection d : group) {
            double s = d.score();
            total += s;
            x += s * d.box().x();
            y += s * d.box().y();
            w += s * d.box().width();
            h += s * d.box().height();
            for (int k = 0; k < Detection.KEYPOINTS; k++) {
                kp[2 * k] += s * d.keypoint(k).x();
                kp[2 * k + 1] += s * d.keypoint(k).y();
            }
        }
        List<Point> points = new ArrayList<>(Detection.KEYPOINTS);
        for (int k = 0; k < Detection.KEYPOINTS; k++) {
            points.add(new Point(kp[2 * k] / total, kp[2 * k + 1] / total));
        }
        return new Detection(new Box(x / total, y / total, w / total, h / total), best.score(), points);
    }
}
