package dev.lfr.loadtest.replay;

/**
 * Ground truth for one face in one replayed frame: who (the gallery identity), which walk-past, where and when.
 * Written to a file the job never reads; {@link GroundTruthMatcher} scores the alerts against it.
 */
public record TruthFace(String walkId, String identity, String camera, long timeMs, int x, int y, int width, int height) {}
