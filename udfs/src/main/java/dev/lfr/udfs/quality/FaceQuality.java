package dev.lfr.udfs.quality;

import static org.bytedeco.opencv.global.opencv_core.CV_64F;
import static org.bytedeco.opencv.global.opencv_core.meanStdDev;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_BGR2GRAY;
import static org.bytedeco.opencv.global.opencv_imgproc.Laplacian;
import static org.bytedeco.opencv.global.opencv_imgproc.cvtColor;

import dev.lfr.udfs.align.FaceAligner;
import dev.lfr.udfs.align.SimilarityTransform;
import dev.lfr.udfs.detect.Detection;
import dev.lfr.udfs.detect.Point;
import dev.lfr.udfs.image.FrameImage;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * Measures a detected face before any embedding work is spent on it: size, inter-eye distance, sharpness and a
 * rough pose from BlazeFace's keypoints. Not thread-safe (reuses buffers); one per thread.
 */
public final class FaceQuality implements AutoCloseable {
    private static final int PATCH = 64;
    private final Mat grey = new Mat();
    private final Mat laplacian = new Mat();
    private final Mat mean = new Mat();
    private final Mat stddev = new Mat();

    public QualityReport assess(FrameImage frame, Detection d) {
        Point r = d.keypoint(Detection.RIGHT_EYE);
        Point l = d.keypoint(Detection.LEFT_EYE);
        Point nose = d.keypoint(Detection.NOSE_TIP);
        double eyeDx = l.x() - r.x();
        double eyeDy = l.y() - r.y();
        double interEye = Math.hypot(eyeDx, eyeDy);
        double yaw = 0;
        if (interEye > 1e-6) {
            double mx = (r.x() + l.x()) / 2;
            double my = (r.y() + l.y()) / 2;
            yaw = ((nose.x() - mx) * eyeDx + (nose.y() - my) * eyeDy) / (interEye * interEye);
        }
        double roll = Math.toDegrees(Math.atan2(eyeDy, eyeDx));
        double side = d.box().side();
        return new QualityReport(side, interEye, sharpness(frame, d, side), yaw, roll, d.score());
    }

    private double sharpness(FrameImage frame, Detection d, double side) {
        double s = PATCH / Math.max(side, 1);
        Point c = d.box().centre();
        SimilarityTransform toPatch = new SimilarityTransform(s, 0, -(c.x() - side / 2) * s, -(c.y() - side / 2) * s);
        try (FrameImage patch = FaceAligner.warp(frame, toPatch, PATCH, PATCH)) {
            cvtColor(patch.mat(), grey, COLOR_BGR2GRAY);
        }
        Laplacian(grey, laplacian, CV_64F);
        meanStdDev(laplacian, mean, stddev);
        double sd = stddev.createIndexer() instanceof org.bytedeco.javacpp.indexer.DoubleIndexer idx ? idx.get(0) : 0;
        return sd * sd;
    }

    @Override
    public void close() {
        grey.close();
        laplacian.close();
        mean.close();
        stddev.close();
    }
}
