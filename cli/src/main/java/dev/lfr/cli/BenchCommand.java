package dev.lfr.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lfr.loadtest.bench.EngineBenchmark;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "bench", description = "Benchmarks (speed is measured here, never in tests)",
        subcommands = {BenchCommand.Engine.class})
final class BenchCommand extends LfrCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        return usage();
    }

    @Command(name = "engine", description = {
            "Face engine stage timings on one thread: decode, detect (one pass, per 256x256 pass, tiled), align, embed",
            "at batch 1 and 8, and faces/s on one core. Default image: a sample photo from the fetched npm package,",
            "centre-cropped to 1920x1080 and re-encoded as JPEG (quality 90)."})
    static final class Engine extends LfrCommand implements Callable<Integer> {
        @Option(names = "--image", paramLabel = "JPEG", description = "benchmark this JPEG instead")
        Path image;

        @Option(names = "--iterations", paramLabel = "N", description = "measured iterations per stage (default 50)")
        int iterations = 50;

        @Option(names = "--tile", paramLabel = "PX", description = "tile size for the tiled detection (default 384)")
        int tile = 384;

        @Option(names = "--json", description = "print JSON instead of a table")
        boolean json;

        @Option(names = "--embedder", paramLabel = "ID", description = "an embedder id, or 'all' (default)")
        String embedder = "all";

        @Override
        public Integer call() throws Exception {
            if (iterations < 1 || tile < 0) {
                throw new UserError("--iterations must be >= 1 and --tile >= 0");
            }
            if (image != null && !Files.isRegularFile(image)) {
                throw new UserError("no such image: " + image);
            }
            EngineOptions opts = new EngineOptions();
            EngineBenchmark.Result r = EngineBenchmark.run(opts.models(), image, iterations, tile,
                    "all".equals(embedder) ? null : embedder);
            out().println(json ? new ObjectMapper().writerWithDefaultPrettyPrinter()
                    .writeValueAsString(r) : r.table());
            return 0;
        }
    }
}
