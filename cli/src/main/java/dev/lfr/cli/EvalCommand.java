package dev.lfr.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lfr.loadtest.eval.DetectionEvaluation;
import dev.lfr.loadtest.eval.ImglabBoxes;
import dev.lfr.loadtest.eval.LfwPairs;
import dev.lfr.loadtest.eval.PairVerification;
import dev.lfr.loadtest.eval.VideoFaceSurvey;
import dev.lfr.udfs.detect.Box;
import dev.lfr.udfs.detect.FaceDetector;
import dev.lfr.udfs.engine.FaceEngine;
import dev.lfr.udfs.quality.QualityGate;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "eval", description = "Accuracy on real faces (../shared/data)",
        subcommands = {EvalCommand.Pairs.class, EvalCommand.Detection.class, EvalCommand.Video.class})
final class EvalCommand extends LfrCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        return usage();
    }

    @Command(name = "pairs", description = "LFW pair verification, 10-fold, on the official pairs.txt pairs present in --data")
    static final class Pairs extends LfrCommand implements Callable<Integer> {
        @Option(names = "--data", paramLabel = "DIR", description = "LFW folder with _meta/pairs.txt (default ../shared/data/lfw)")
        Path data;

        @Option(names = "--embedder", paramLabel = "ID", description = "an embedder id, or 'all' (default)")
        String embedder = "all";

        @Option(names = "--json", description = "print one JSON object per embedder")
        boolean json;

        @Override
        public Integer call() throws Exception {
            Path dir = SharedData.require(data != null ? data : SharedData.dir("lfw"), "LFW");
            if (!Files.isRegularFile(dir.resolve("_meta/pairs.txt"))) {
                throw new UserError(dir + " has no _meta/pairs.txt");
            }
            List<LfwPairs.Pair> pairs = LfwPairs.read(dir);
            EngineOptions opts = new EngineOptions();
            List<String> ids = "all".equals(embedder)
                    ? opts.models().manifest().models().stream().filter(m -> "embedder".equals(m.spec().role()))
                            .map(m -> m.id()).toList()
                    : List.of(embedder);
            PrintWriter out = out();
            for (String id : ids) {
                opts.embedder = id;
                opts.embedderId();
                PairVerification.Report r;
                try (ProgressBar bar = Progress.bar(id, pairs.size())) {
                    r = PairVerification.run(opts.models(), id, pairs, bar::stepTo);
                }
                if (json) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("embedder", id);
                    m.put("pairs", r.result().pairs());
                    m.put("images", r.images());
                    m.put("no_face", r.noFace());
                    m.put("accuracy_mean", r.result().meanAccuracy());
                    m.put("accuracy_sd", r.result().stdAccuracy());
                    m.put("best_threshold", r.result().bestThreshold());
                    m.put("best_threshold_accuracy", r.result().bestAccuracy());
                    out.println(new ObjectMapper().writeValueAsString(m));
                } else {
                    out.printf(Locale.ROOT, "%s: %d pairs (%d images, %d without a face), 10-fold accuracy %.2f%% +- %.2f,"
                                    + " best single threshold %.4f (%.2f%% on all pairs)%n", id, r.result().pairs(),
                            r.images(), r.noFace(), 100 * r.result().meanAccuracy(), 100 * r.result().stdAccuracy(),
                            r.result().bestThreshold(), 100 * r.result().bestAccuracy());
                }
            }
            return 0;
        }
    }

    @Command(name = "detection", description = "Detection recall (IoU >= 0.4) and false detections on the dlib group photos")
    static final class Detection extends LfrCommand implements Callable<Integer> {
        @Option(names = "--data", paramLabel = "DIR", description = "dlib folder with _group/ and _meta/*.xml (default ../shared/data/dlib)")
        Path data;

        @Mixin
        EngineOptions engine;

        @Override
        public Integer call() throws Exception {
            Path dir = SharedData.require(data != null ? data : SharedData.dir("dlib"), "dlib data");
            Map<String, List<Box>> truth = new LinkedHashMap<>();
            for (String xml : new String[] {"training.xml", "testing.xml"}) {
                truth.putAll(ImglabBoxes.read(dir.resolve("_meta").resolve(xml)));
            }
            try (FaceDetector d = new FaceDetector(engine.models(), engine.detectorConfig())) {
                DetectionEvaluation.Report r = DetectionEvaluation.run(d, dir.resolve("_group"), truth);
                PrintWriter out = out();
                for (DetectionEvaluation.ImageResult i : r.perImage()) {
                    out.printf("%s faces=%d found=%d false=%d%n", i.image(), i.faces(), i.found(), i.falseDetections());
                }
                out.printf(Locale.ROOT, "min-score %.2f tile %d: recall %.3f (%d of %d faces), %.2f false detections per image%n",
                        engine.minScore, engine.tile, r.recall(), r.found(), r.faces(), r.falsePerImage());
            }
            return 0;
        }
    }

    @Command(name = "video", description = "Faces found and passed by the quality gate on the frames of a video")
    static final class Video extends LfrCommand implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "VIDEO")
        Path video;

        @Option(names = "--every", paramLabel = "N", description = "process every Nth frame (default 1)")
        int every = 1;

        @Mixin
        EngineOptions engine;

        @Override
        public Integer call() throws Exception {
            if (!Files.isRegularFile(video)) {
                throw new UserError("no such video: " + video);
            }
            if (every < 1) {
                throw new UserError("--every must be >= 1");
            }
            try (FaceEngine e = engine.engine(QualityGate.defaults())) {
                VideoFaceSurvey.Report r = VideoFaceSurvey.run(e, video, every);
                out().println(new ObjectMapper().writeValueAsString(r));
            }
            return 0;
        }
    }
}
