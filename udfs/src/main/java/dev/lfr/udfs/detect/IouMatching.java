package dev.lfr.udfs.detect;

import java.util.Arrays;
import java.util.List;

/** Greedy one-to-one pairing of boxes by overlap, best pairs first. Stateless. */
public final class IouMatching {
    private IouMatching() {}

    /**
     * For each box of {@code right}, the index of the box of {@code left} it is paired with, or -1. Pairs are taken
     * highest IoU first; a pair needs IoU >= {@code minIou}; each box is used once.
     */
    public static int[] match(List<Box> left, List<Box> right, double minIou) {
        int[] pairOf = new int[right.size()];
        Arrays.fill(pairOf, -1);
        boolean[] usedLeft = new boolean[left.size()];
        while (true) {
            double best = minIou;
            int bl = -1;
            int br = -1;
            for (int r = 0; r < right.size(); r++) {
                if (pairOf[r] >= 0) {
                    continue;
                }
                for (int l = 0; l < left.size(); l++) {
                    if (!usedLeft[l]) {
                        double iou = left.get(l).iou(right.get(r));
                        if (iou >= best) {
                            best = iou;
                            bl = l;
                            br = r;
                        }
                    }
                }
            }
            if (br < 0) {
                return pairOf;
            }
            pairOf[br] = bl;
            usedLeft[bl] = true;
        }
    }
}
