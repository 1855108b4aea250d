package dev.lfr.udfs.align;

import dev.lfr.udfs.detect.Point;
import java.util.List;

/**
 * The least-squares similarity transform (rotation, uniform scale, shift; no shear, no reflection) taking
 * {@code from} points onto {@code to} points. A similarity keeps a turned face's proportions; an exact affine through
 * three or five points shears it, which cost several points of LFW accuracy here. Immutable.
 *
 * <p>With centred points a and b seen as complex numbers, the best {@code s*e^(i*theta)} is
 * {@code sum(conj(a)*b) / sum(|a|^2)}.
 */
public record SimilarityTransform(double a, double b, double tx, double ty) {

    public static SimilarityTransform fit(List<Point> from, List<Point> to) {
        int n = from.size();
        if (n != to.size() || n < 2) {
            throw new IllegalArgumentException("need matching point lists of at least 2, got " + n + " and " + to.size());
        }
        double fx = 0;
        double fy = 0;
        double gx = 0;
        double gy = 0;
        for (int i = 0; i < n; i++) {
            fx += from.get(i).x();
            fy += from.get(i).y();
            gx += to.get(i).x();
            gy += to.get(i).y();
        }
        fx /= n;
        fy /= n;
        gx /= n;
        gy /= n;
        double re = 0;
        double im = 0;
        double norm = 0;
        for (int i = 0; i < n; i++) {
            double px = from.get(i).x() - fx;
            double py = from.get(i).y() - fy;
            double qx = to.get(i).x() - gx;
            double qy = to.get(i).y() - gy;
            re += px * qx + py * qy;
            im += px * qy - py * qx;
            norm += px * px + py * py;
        }
        if (norm < 1e-12) {
            throw new IllegalArgumentException("the source points coincide");
        }
        double a = re / norm;
        double b = im / norm;
        return new SimilarityTransform(a, b, gx - (a * fx - b * fy), gy - (b * fx + a * fy));
    }

    public Point apply(Point p) {
        return new Point(a * p.x() - b * p.y() + tx, b * p.x() + a * p.y() + ty);
    }

    public double scale() {
        return Math.hypot(a, b);
    }

    /** Row-major 2x3 matrix, as OpenCV's warpAffine takes it. */
    public double[] toAffine2x3() {
        return new double[] {a, -b, tx, b, a, ty};
    }
}
