package dev.lfr.cli;

import dev.lfr.udfs.detect.FaceDetector;
import dev.lfr.udfs.engine.FaceEngine;
import dev.lfr.udfs.image.FrameImage;
import dev.lfr.udfs.image.ImageDecodeException;
import dev.lfr.udfs.image.ImageDecoder;
import dev.lfr.udfs.model.ModelStore;
import dev.lfr.udfs.quality.QualityGate;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Options shared by the commands that run the face engine. */
public class EngineOptions {
    @Option(names = "--embedder", paramLabel = "ID",
            description = "fr-feature-512 (default, stronger), fr-feature-512-int8 (its faster 8-bit twin) or dlib-resnet-128")
    String embedder;

    @Option(names = "--min-score", paramLabel = "S", description = "minimum detector score, 0..1 (default 0.5)")
    double minScore = FaceDetector.Config.defaults().minScore();

    @Option(names = "--tile", paramLabel = "PX",
            description = "also detect in overlapping square tiles of PX pixels (finds small faces in big frames; 0 = off)")
    int tile;

    private ModelStore models;

    ModelStore models() {
        if (models == null) {
            models = ModelStore.ensureDefault();
        }
        return models;
    }

    String embeddingModel() {
        String id = embedder == null ? models().defaultEmbedder() : embedder;
        if (models().manifest().models().stream().noneMatch(m -> m.id().equals(id) && "embedder".equals(m.spec().role()))) {
            throw new UserError("unknown embedder '" + id + "'; choose fr-feature-512, fr-feature-512-int8 or dlib-resnet-128");
        }
        return id;
    }

    FaceDetector.Config detectorConfig() {
        if (!(minScore >= 0 && minScore <= 1) || tile < 0) { // NaN fails both
            throw new UserError("--min-score must be in 0..1 and --tile >= 0");
        }
        return FaceDetector.Config.defaults().withMinScore(minScore).withTileSize(tile);
    }

    /** The embedder and detector as a replay takes them. */
    dev.lfr.loadtest.replay.Replay.Engine setup() {
        return new dev.lfr.loadtest.replay.Replay.Engine(models(), embeddingModel(), detectorConfig());
    }

    FaceEngine engine(QualityGate gate) {
        return new FaceEngine(models(), embeddingModel(), detectorConfig(), gate);
    }

    static FrameImage decode(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new UserError("no such image: " + file);
        }
        try {
            return new ImageDecoder().decode(file);
        } catch (ImageDecodeException e) {
            throw new UserError(file + ": " + e.getMessage());
        }
    }
}
