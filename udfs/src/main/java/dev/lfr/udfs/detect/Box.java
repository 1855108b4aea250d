package dev.lfr.udfs.detect;

/** An axis-aligned box in frame pixels: top-left corner, width, height. */
public record Box(double x, double y, double width, double height) {
    public double area() {
        return Math.max(0, width) * Math.max(0, height);
    }

    public double iou(Box o) {
        double ix = Math.max(0, Math.min(x + width, o.x + o.width) - Math.max(x, o.x));
        double iy = Math.max(0, Math.min(y + height, o.y + o.height) - Math.max(y, o.y));
        double inter = ix * iy;
        double union = area() + o.area() - inter;
        return union <= 0 ? 0 : inter / union;
    }

    public Point centre() {
        return new Point(x + width / 2, y + height / 2);
    }

    /** The longer side: what a face's size, and a square around it (a crop, the landmark input), go by. */
    public double side() {
        return Math.max(width, height);
    }
}
