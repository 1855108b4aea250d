package dev.lfr.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import dev.lfr.loadtest.eval.DetectionEvaluation;
import dev.lfr.loadtest.eval.ImglabBoxes;
import dev.lfr.loadtest.eval.LabelAudit;
import dev.lfr.loadtest.eval.LabelCorrections;
import dev.lfr.loadtest.eval.LfwPairs;
import dev.lfr.loadtest.eval.OpenSetEvaluation;
import dev.lfr.loadtest.eval.OpenSetProtocol;
import dev.lfr.loadtest.eval.OpenSetReport;
import dev.lfr.loadtest.eval.PairVerification;
import dev.lfr.loadtest.eval.VideoFaceSurvey;
import dev.lfr.udfs.detect.Box;
import dev.lfr.udfs.detect.FaceDetector;
import dev.lfr.udfs.engine.FaceEngine;
import dev.lfr.udfs.pipeline.Screening;
import dev.lfr.udfs.quality.QualityGate;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
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

@Command(name = "eval", description = {
        "Accuracy on real faces: 1:N identification (--data, --out), LFW pairs, detection, video.",
        "With --data and --out: the 1:N protocol on DIR/<identity>/<images> (watchlist =",
        "identities with 2+ images; mated probes = their other images; non-mated = identities with one image plus",
        "every mated probe with its own identity left out), writing OUTDIR/report.json, report.md and det.png.",
        "Subcommands: LFW pairs, detection on group photos, faces in video."},
        subcommands = {EvalCommand.Audit.class, EvalCommand.Pairs.class, EvalCommand.Detection.class, EvalCommand.Video.class})
final class EvalCommand extends LfrCommand implements Callable<Integer> {
    @Option(names = "--data", paramLabel = "DIR", description = "DIR/<identity>/<images> (e.g. ../shared/data/lfw)")
    Path data;

    @Option(names = "--out", paramLabel = "OUTDIR", description = "where report.json, report.md and det.png go")
    Path outDir;

    @Option(names = "--enrol", paramLabel = "first|mean3", description = "template from the first image, or the mean of up to three (default first)")
    String enrol = "first";

    @Option(names = "--threshold", paramLabel = "T", description = "also report TPIR and FPIR at this cosine similarity")
    Double threshold;

    @Option(names = "--groups", paramLabel = "FILE", description = "lines 'identity<TAB or comma>group': per-group FNIR and FPIR")
    Path groupsFile;

    @Option(names = "--embedder", paramLabel = "ID",
            description = "fr-feature-512 (default), fr-feature-512-int8 or dlib-resnet-128")
    String embedder;

    @Option(names = "--single-face-enrolment", description = "enrol only from photos with exactly one usable face, as ./lfr watchlist enrol does")
    boolean singleFaceEnrolment;

    @Option(names = "--threads", paramLabel = "N", description = "embedding threads (default: the cores)")
    int threads = Runtime.getRuntime().availableProcessors();

    @Option(names = "--corrections", paramLabel = "lfw|FILE", description = {
            "also evaluate with reviewed label corrections (same-person aliases merged, wrong-face images left out),",
            "written to OUTDIR/corrected/: 'lfw' is the list shipped for the LFW development half"})
    String corrections;

    @Option(names = "--strangers", paramLabel = "DIR", description = {
            "every usable face in DIR (photos and videos of people not in --data) is a further non-mated search;",
            "repeatable"})
    List<Path> strangers = List.of();

    @Option(names = "--stranger-every", paramLabel = "N", description = "video frames sampled for --strangers (default 5)")
    int strangerEvery = 5;

    @Option(names = "--cohort", paramLabel = "K", description = {
            "cohort score normalisation: subtract half the mean of the entry's K most similar watchlist entries and",
            "half the mean of the probe's 2nd to (K+1)th best scores (default 0: raw cosine scores)"})
    int cohort;

    @Option(names = "--flip", description = "flip averaging: embed each face as it is and mirrored, and sum the two")
    boolean flip;

    @Option(names = "--probe-sets", paramLabel = "N", description = {
            "also the multi-image protocol: probes are sets of up to N photos of one person, fused four ways",
            "(OUTDIR/probe-sets.md)"})
    Integer probeSets;

    @Option(names = "--screening", paramLabel = "ID", description = {
            "embed probes by this reduced model first, and search again with the embedder only where the best score",
            "is within --screening-margin of the embedder's search threshold, as the job's embedding.screening-model does"})
    String screening;

    @Option(names = "--screening-margin", paramLabel = "M", description = "default ${DEFAULT-VALUE}")
    double screeningMargin = Screening.DEFAULT_MARGIN;

    @Override
    public Integer call() throws Exception {
        if (data == null && outDir == null) {
            return usage();
        }
        if (data == null || outDir == null) {
            throw new UserError("--data DIR and --out OUTDIR go together");
        }
        if (!Files.isDirectory(data)) {
            throw new UserError("no such folder: " + data);
        }
        OpenSetEvaluation.Enrol mode = switch (enrol) {
            case "first" -> OpenSetEvaluation.Enrol.FIRST;
            case "mean3" -> OpenSetEvaluation.Enrol.MEAN3;
            default -> throw new UserError("--enrol is first or mean3, not " + enrol);
        };
        if (threads < 1) {
            throw new UserError("--threads must be at least 1");
        }
        if (threshold != null && !(threshold >= -1 && threshold <= 1)) { // NaN fails both
            throw new UserError("--threshold is a cosine similarity, -1 to 1, not " + threshold);
        }
        if (cohort < 0) {
            throw new UserError("--cohort must be 0 or more");
        }
        if (strangerEvery < 1) {
            throw new UserError("--stranger-every must be at least 1");
        }
        if (probeSets != null && probeSets < 2) {
            throw new UserError("--probe-sets must be at least 2");
        }
        for (Path dir : strangers) {
            if (!Files.isDirectory(dir)) {
                throw new UserError("no such folder: " + dir);
            }
        }
        LabelCorrections fixes = corrections == null ? null : readCorrections(corrections);
        Map<String, String> groups = groupsFile == null ? Map.of() : readGroups(groupsFile);
        EngineOptions opts = new EngineOptions();
        opts.embedder = embedder;
        String id = opts.embeddingModel();
        // checked before minutes of embedding, not after
        Screening settings = screening == null ? null : Pairs.screeningOf(opts, id, screening, screeningMargin);
        OpenSetProtocol.Outcome outcome;
        try {
            outcome = OpenSetProtocol.run(opts.models(), new OpenSetProtocol.Request(data, id, mode, singleFaceEnrolment,
                    cohort, flip, threads, strangers, strangerEvery, settings, fixes, groups, threshold, probeSets), outDir,
                    (label, total) -> {
                        ProgressBar bar = Progress.bar(label, total);
                        return new OpenSetProtocol.Phase() {
                            @Override
                            public void accept(int done) {
                                bar.stepTo(done);
                            }

                            @Override
                            public void close() {
                                bar.close();
                            }
                        };
                    });
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage());
        }
        ObjectMapper json = new ObjectMapper().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);
        for (OpenSetProtocol.Written w : outcome.reports()) {
            OpenSetReport report = w.report();
            out().println(json.writeValueAsString(new Summary(report.dataset(), report.embedder(), report.enrol(),
                    report.enrolmentPhotos(), report.watchlistSize(), report.matedProbes(), report.nonmatedProbes(),
                    report.fte(), report.rank1(), report.tpirAtFpir(), report.thresholdAtFpir())));
            OpenSetEvaluation.ScreeningTally screened = w.result().screened();
            if (screened != null) {
                out().printf(Locale.ROOT, "screened by %s: %d of %d searches within %.3f of %.4f run again by %s; largest"
                                + " screened-to-exact best-score move %.4f%n", screened.model(), screened.rescored(),
                        screened.searches(), screened.margin(), screened.threshold(), id, screened.largestMove());
            }
            out().println("wrote " + w.dir().resolve("report.json") + ", report.md, det.png, scores.json");
        }
        if (outcome.probeSets() != null) {
            out().println("wrote " + outcome.probeSets());
        }
        return 0;
    }

    private static LabelCorrections readCorrections(String spec) throws java.io.IOException {
        try {
            if ("lfw".equals(spec)) {
                return LabelCorrections.lfw();
            }
            Path file = Path.of(spec);
            if (!Files.isRegularFile(file)) {
                throw new UserError("--corrections is 'lfw' or a file; no such file: " + spec);
            }
            return LabelCorrections.read(file);
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage());
        }
    }

    /** The evaluation's one-line outcome; report.json has the rest. */
    record Summary(String dataset, String embedder, String enrol, String enrolmentPhotos, int watchlistSize, int matedProbes,
                   int nonmatedProbes, int fte, double rank1, Map<String, Double> tpirAtFpir,
                   Map<String, Double> thresholdAtFpir) {}

    private static Map<String, String> readGroups(Path file) throws java.io.IOException {
        if (!Files.isRegularFile(file)) {
            throw new UserError("no such groups file: " + file);
        }
        Map<String, String> groups = new LinkedHashMap<>();
        for (String line : Files.readAllLines(file)) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] parts = line.split("[\\t,]", 2);
            if (parts.length != 2 || parts[0].isBlank() || parts[1].isBlank()) {
                throw new UserError("groups file " + file + ": expected 'identity<TAB or comma>group', got: " + line);
            }
            groups.put(parts[0].strip(), parts[1].strip());
        }
        return groups;
    }

    @Command(name = "audit", description = {
            "Candidates for a review of --data's labels: the most alike photos of different identities (one person",
            "under two names?) and the photos least like the rest of their identity (not the labelled face?).",
            "Look at each before listing it in a corrections file (--corrections)."})
    static final class Audit extends LfrCommand implements Callable<Integer> {
        @Option(names = "--data", paramLabel = "DIR", description = "DIR/<identity>/<images> (default ../shared/data/lfw)")
        Path data;

        @Option(names = "--limit", paramLabel = "N", description = "candidates of each kind (default 40)")
        int limit = 40;

        @Option(names = "--threads", paramLabel = "N", description = "embedding threads (default: the cores)")
        int threads = Runtime.getRuntime().availableProcessors();

        @Mixin
        EngineOptions engine;

        @Override
        public Integer call() throws Exception {
            Path dir = SharedData.require(data != null ? data : SharedData.dir("lfw"), "LFW");
            if (limit < 1 || threads < 1) {
                throw new UserError("--limit and --threads must be at least 1");
            }
            List<OpenSetEvaluation.Identity> identities = OpenSetEvaluation.scan(dir);
            List<Path> images = identities.stream().flatMap(i -> i.images().stream()).toList();
            String id = engine.embeddingModel();
            OpenSetEvaluation.Embedded embedded;
            try (ProgressBar bar = Progress.bar("embedding " + id, images.size())) {
                embedded = OpenSetEvaluation.embedAll(engine.models(), id, QualityGate.defaults(), images, threads, false,
                        bar::stepTo);
            }
            LabelAudit.Candidates c = LabelAudit.find(identities, embedded.descriptors(), limit);
            PrintWriter out = out();
            out.println("# most alike photos of different identities (cosine similarity)");
            for (LabelAudit.CrossPair p : c.crossPairs()) {
                out.printf(Locale.ROOT, "%.4f\t%s\t%s%n", p.score(), dir.relativize(p.image()), dir.relativize(p.otherImage()));
            }
            out.println("# photos least like the rest of their identity (best score against a sibling, siblings)");
            for (LabelAudit.Outlier o : c.outliers()) {
                out.printf(Locale.ROOT, "%.4f\t%s\t%d%n", o.bestSibling(), dir.relativize(o.image()), o.siblings());
            }
            return 0;
        }
    }

    @Command(name = "pairs", description = "LFW pair verification, 10-fold, on the official pairs.txt pairs present in --data")
    static final class Pairs extends LfrCommand implements Callable<Integer> {
        /** One embedder's line of {@code --json} output. */
        record PairsSummary(String embedder, int pairs, int images, int noFace, double accuracyMean, double accuracySd,
                            double bestThreshold, double bestThresholdAccuracy) {}

        @Option(names = "--data", paramLabel = "DIR", description = "LFW folder with _meta/pairs.txt (default ../shared/data/lfw)")
        Path data;

        @Option(names = "--embedder", paramLabel = "ID", description = "an embedder id, or 'all' (default)")
        String embedder = "all";

        @Option(names = "--json", description = "print one JSON object per embedder")
        boolean json;

        @Option(names = "--screening", paramLabel = "ID", description = "score each pair's second photo by this reduced"
                + " model first, and by the embedder only near its threshold, as the job's embedding.screening-model does")
        String screening;

        @Option(names = "--screening-margin", paramLabel = "M", description = "how far from the threshold (cosine"
                + " similarity) a screened score must be to stand (default ${DEFAULT-VALUE})")
        double screeningMargin = Screening.DEFAULT_MARGIN;

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
                opts.embeddingModel();
                PairVerification.Report r;
                try (ProgressBar bar = Progress.bar(id, pairs.size())) {
                    r = screening == null ? PairVerification.run(opts.models(), id, pairs, bar::stepTo)
                            : PairVerification.runScreened(opts.models(), id,
                            screeningOf(opts, id, screening, screeningMargin), pairs, bar::stepTo);
                }
                if (json) {
                    printJson(new PairsSummary(id, r.result().pairs(), r.images(), r.noFace(), r.result().meanAccuracy(),
                            r.result().stdAccuracy(), r.result().bestThreshold(), r.result().bestAccuracy()));
                } else {
                    out.printf(Locale.ROOT, "%s: %d pairs (%d images, %d without a face), 10-fold accuracy %.2f%% +- %.2f,"
                                    + " best single threshold %.4f (%.2f%% on all pairs)%n", id, r.result().pairs(),
                            r.images(), r.noFace(), 100 * r.result().meanAccuracy(), 100 * r.result().stdAccuracy(),
                            r.result().bestThreshold(), 100 * r.result().bestAccuracy());
                }
                if (r.screened() != null && !json) {
                    out.printf(Locale.ROOT, "  screened by %s: %d of %d pairs within %.3f of %.4f scored again; largest"
                                    + " screened-to-exact score move %.4f%n", r.screened().model(), r.screened().rescored(),
                            r.result().pairs(), r.screened().margin(), r.screened().thresholdSimilarity(),
                            r.screened().largestMove());
                }
            }
            return 0;
        }

        /** The screening settings of {@code --screening ID --screening-margin M}, checked in one line each. */
        static Screening screeningOf(EngineOptions opts, String id, String screening, double margin) {
            opts.embedder = screening;
            opts.embeddingModel(); // an unknown id is refused in one line
            opts.embedder = id;
            if (screening.equals(id) || !opts.models().spec(screening).dimension().equals(opts.models().spec(id).dimension())) {
                throw new UserError("--screening must name a reduced form of the embedder " + id + ", not " + screening);
            }
            try {
                return new Screening(screening, margin);
            } catch (IllegalArgumentException e) {
                throw new UserError(e.getMessage());
            }
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
