package dev.lfr.udfs.detect;

/** A point in frame pixels. */
public record Point(double x, double y) {
    public double distanceTo(Point o) {
        return Math.hypot(x - o.x, y - o.y);
    }
}
