package dev.lfr.udfs.align;

import dev.lfr.udfs.detect.Point;
import dev.lfr.udfs.image.FrameImage;
import java.util.List;

/**
 * A face chip warped so that its landmarks sit on the embedder's template, with the frame landmarks it was aligned
 * from and the model it was aligned for. The chip is biometric data: it must not leave the operator that made it
 * unless the face matched. Immutable (see {@link FrameImage}).
 */
public record AlignedFace(String embeddingModel, FrameImage chip, List<Point> landmarks, SimilarityTransform transform) {
    public AlignedFace {
        landmarks = List.copyOf(landmarks);
    }
}
