package dev.lfr.loadtest.replay;

import java.util.List;

/** One frame to replay: JPEG bytes, size, and the faces it shows (empty when the source is unlabelled). */
public record ReplayFrame(byte[] jpeg, int width, int height, List<TruthFace> faces) {}
