package dev.lfr.udfs.detect;

/**
 * The 896 SSD anchor centres of MediaPipe's BlazeFace "back" (full-range, 256x256) model: a 16x16 grid with 2 anchors a
 * cell, then an 8x8 grid with 6 a cell (the layers of stride 32 merge), centres at ((x+0.5)/grid, (y+0.5)/grid),
 * fixed unit size. Row-major, anchors of a cell adjacent, matching the order of the model's outputs.
 */
final class BlazeFaceAnchors {
    static final int COUNT = 896;
    /** x0, y0, x1, y1, ... normalised to [0,1]. */
    static final float[] CENTRES = build();

    private BlazeFaceAnchors() {}

    private static float[] build() {
        float[] c = new float[COUNT * 2];
        int i = 0;
        int[][] layers = {{16, 2}, {8, 6}};
        for (int[] layer : layers) {
            int grid = layer[0];
            for (int y = 0; y < grid; y++) {
                for (int x = 0; x < grid; x++) {
                    for (int a = 0; a < layer[1]; a++) {
                        c[i++] = (x + 0.5f) / grid;
                        c[i++] = (y + 0.5f) / grid;
                    }
                }
            }
        }
        return c;
    }
}
