package dev.lfr.udfs.engine;

import dev.lfr.udfs.detect.Detection;
import dev.lfr.udfs.embed.FaceDescriptor;
import dev.lfr.udfs.quality.QualityGate;
import dev.lfr.udfs.quality.QualityReport;
import java.util.List;
import java.util.Optional;

/**
 * One detected face: where, how usable, and (when it passed the quality gate) its descriptor. Immutable.
 */
public record FaceResult(Detection detection, QualityReport quality, List<QualityGate.Reason> rejected,
                         Optional<FaceDescriptor> descriptor) {
    public FaceResult {
        rejected = List.copyOf(rejected);
    }

    public boolean usable() {
        return descriptor.isPresent();
    }
}
