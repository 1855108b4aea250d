package dev.lfr.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lfr.udfs.embed.FaceDescriptor;
import dev.lfr.udfs.engine.FaceEngine;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
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

    @Override
    public Integer call() throws Exception {
        try (FaceEngine e = engine.engine(CompareCommand.PERMISSIVE)) {
            FaceDescriptor d = CompareCommand.mainFace(e, image);
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("image", image.toString());
            json.put("model", d.modelId());
            json.put("dimension", d.dimension());
            json.put("vector", d.vector());
            out().println(new ObjectMapper().writeValueAsString(json));
        }
        return 0;
    }
}
