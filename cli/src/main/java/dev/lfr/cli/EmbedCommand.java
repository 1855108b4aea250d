package dev.lfr.cli;

import dev.lfr.udfs.embed.FaceDescriptor;
import dev.lfr.udfs.engine.FaceEngine;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(name = "embed", description = "Print the descriptor of the main face of an image as JSON: {image, model, dimension, vector}")
final class EmbedCommand extends LfrCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "IMAGE")
    Path image;

    @Mixin
    EngineOptions engine;

    /** What embed prints. */
    record Embedding(String image, String embeddingModel, int dimension, float[] vector) {}

    @Override
    public Integer call() throws Exception {
        try (FaceEngine e = engine.engine(CompareCommand.PERMISSIVE)) {
            FaceDescriptor d = CompareCommand.mainFace(e, image);
            printJson(new Embedding(image.toString(), d.embeddingModel(), d.dimension(), d.vector()));
        }
        return 0;
    }
}
