package dev.lfr.udfs.index;

import java.util.Arrays;

/**
 * The k best (row, score) pairs seen so far: a min-heap on score, so the worst kept pair is at the root and a better
 * one replaces it in O(log k). Ties go to the smaller id, so results do not depend on storage order. Not thread-safe.
 */
final class TopK {
    private final float[] scores;
    private final long[] ids;
    private int size;

    TopK(int k) {
        scores = new float[k];
        ids = new long[k];
    }

    void offer(long id, float score) {
        if (size < scores.length) {
            scores[size] = score;
            ids[size] = id;
            siftUp(size++);
        } else if (better(score, id, scores[0], ids[0])) {
            scores[0] = score;
            ids[0] = id;
            siftDown(0);
        }
    }

    WatchlistIndex.Neighbours result() {
        Integer[] order = new Integer[size];
        for (int i = 0; i < size; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> better(scores[a], ids[a], scores[b], ids[b]) ? -1 : a.equals(b) ? 0 : 1);
        long[] outIds = new long[size];
        float[] outScores = new float[size];
        for (int i = 0; i < size; i++) {
            outIds[i] = ids[order[i]];
            outScores[i] = scores[order[i]];
        }
        return new WatchlistIndex.Neighbours(outIds, outScores);
    }

    private static boolean better(float s1, long id1, float s2, long id2) {
        return s1 > s2 || (s1 == s2 && id1 < id2);
    }

    private void siftUp(int i) {
        while (i > 0) {
            int parent = (i - 1) / 2;
            if (!better(scores[parent], ids[parent], scores[i], ids[i])) {
                return;
            }
            swap(i, parent);
            i = parent;
        }
    }

    private void siftDown(int i) {
        while (true) {
            int worst = i;
            for (int c = 2 * i + 1; c <= 2 * i + 2 && c < size; c++) {
                if (better(scores[worst], ids[worst], scores[c], ids[c])) {
                    worst = c;
                }
            }
            if (worst == i) {
                return;
            }
            swap(i, worst);
            i = worst;
        }
    }

    private void swap(int a, int b) {
        float s = scores[a];
        scores[a] = scores[b];
        scores[b] = s;
        long id = ids[a];
        ids[a] = ids[b];
        ids[b] = id;
    }
}
