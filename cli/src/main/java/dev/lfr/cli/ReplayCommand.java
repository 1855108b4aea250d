package dev.lfr.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lfr.governance.watchlist.ReferenceImages;
import dev.lfr.loadtest.bench.ModelOnlyBound;
import dev.lfr.loadtest.replay.FrameSource;
import dev.lfr.loadtest.replay.ImageFolderFrames;
import dev.lfr.loadtest.replay.LocalStack;
import dev.lfr.loadtest.replay.ReplayReport;
import dev.lfr.loadtest.replay.ReplaySession;
import dev.lfr.loadtest.replay.VideoFrames;
import dev.lfr.loadtest.replay.WalkPastScenes;
import dev.lfr.schemas.MatchAlert;
import dev.lfr.udfs.detect.FaceDetector;
import dev.lfr.udfs.image.FrameImage;
import dev.lfr.udfs.image.VideoFrameReader;
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

@Command(name = "replay", description = {
        "Replay camera frames into Kafka at a set rate and report throughput, latency and accuracy.",
        "N cameras at F fps for D seconds (or as fast as possible), from synthetic walk-past scenes of a gallery",
        "(default: the sample faces), a video, or a folder of images. Starts a local broker and the job unless told",
        "otherwise; writes the ground truth (never read by the job) to OUT/truth.jsonl and the report to",
        "OUT/report.json, report.md, latency_cdf.png, lag.png."})
final class ReplayCommand extends LfrCommand implements Callable<Integer> {
    @picocli.CommandLine.Mixin
    ReplayOptions options = new ReplayOptions();

    @Override
    public Integer call() throws Exception {
        ReplayOptions o = options;
        o.check();
        Files.createDirectories(o.out);
        ReplayReport report = run(o, out(), o.out, true, Hooks.NONE);
        out().println(new ObjectMapper().writeValueAsString(summary(report)));
        out().println("wrote " + o.out.resolve("report.json") + ", report.md, latency_cdf.png, lag.png; ground truth "
                + o.out.resolve("truth.jsonl"));
        return 0;
    }

    /** Throughput, latency and (where scored) the ground truth, in one flat object. */
    static Map<String, Object> summary(ReplayReport report) {
        Map<String, Object> s = new LinkedHashMap<>(ReplayReport.fields(report.throughput()));
        s.putAll(ReplayReport.fields(report.latency()));
        if (report.groundTruth() != null) {
            s.putAll(ReplayReport.fields(report.groundTruth()));
        }
        return s;
    }

    /** What a caller does when the replay's broker is up, and once the replay is reported (the demo's console). */
    interface Hooks {
        Hooks NONE = new Hooks() {};

        default void started(String bootstrap, String deployment) throws Exception {}

        default void finished(ReplayReport report) throws Exception {}
    }

    /** Puts the people with a template on {@code watchlist}, their reference photos in the replay's store. */
    private static List<GalleryPeople.Person> enrol(List<GalleryPeople.Person> people, Path outDir,
                                                    Map<String, LocalStack.Subject> watchlist) {
        ReferenceImages references = new ReferenceImages(outDir.resolve(REFERENCE_IMAGES));
        people.stream().filter(p -> p.template() != null).forEach(p -> watchlist.put(p.id(), new LocalStack.Subject(
                p.template(), p.id().replace('_', ' '),
                p.reference() == null ? null : references.store(LocalStack.WATCHLIST, p.id(), p.reference()))));
        return people;
    }

    /** Where a replay keeps its watchlist's reference photos (an {@code lfr-image:} store). */
    static final String REFERENCE_IMAGES = "reference-images";

    /** Runs a replay with the options of {@code r} (also the demo's), printing alerts as they come. */
    static ReplayReport run(ReplayOptions r, java.io.PrintWriter out, Path outDir, boolean progress, Hooks hooks)
            throws Exception {
        String model = r.engine.embeddingModel();
        List<String> cams = new ArrayList<>();
        for (int c = 1; c <= r.cameras; c++) {
            cams.add("cam-" + c);
        }
        Map<String, LocalStack.Subject> watchlist = new LinkedHashMap<>();
        FrameSource source;
        if (r.video != null || r.images != null) {
            // unlabelled footage is searched against the gallery's (or the sample faces') watchlist: a deployment
            // cannot be activated without live subjects
            enrol(GalleryPeople.load(r.engine, r.gallery, r.maxPeople, 1), outDir, watchlist)
                    .forEach(p -> p.walkCrops().forEach(FrameImage::close));
            source = r.video != null
                    ? new VideoFrames(requireFile(r.video), Math.max(1, (int) Math.min(500, r.fps * r.duration)))
                    : new ImageFolderFrames(r.images, 500);
        } else {
            List<GalleryPeople.Person> people = enrol(GalleryPeople.load(r.engine, r.gallery, r.maxPeople, r.walkPhotos),
                    outDir, watchlist);
            int[] wh = size(r.size);
            int steps = (int) Math.max(4, Math.round(2 * r.fps)); // a walk-past takes about two seconds
            List<FrameImage> backgrounds = backgrounds(r.background);
            try {
                source = new WalkPastScenes(people.stream().map(GalleryPeople.Person::walker).toList(),
                        backgrounds, wh[0], wh[1], r.faces, steps, 40, 200, 7);
            } finally {
                backgrounds.forEach(FrameImage::close);
            }
            out.printf(Locale.ROOT, "%d people, %d on the watchlist; %d camera(s), %d face(s) in view per camera%n",
                    people.size(), watchlist.size(), r.cameras, r.faces);
        }
        FrameSource frames = r.saveFrames > 0 ? saving(source, outDir.resolve("frames"), r.saveFrames) : source;
        ModelOnlyBound bound = null;
        if (r.modelBound) {
            bound = ModelOnlyBound.measure(r.engine.models(), model, FaceDetector.Config.defaults(),
                    frames.next("model-bound", 0, 0).jpeg());
        }
        float threshold = (float) (1 - r.engine.models().spec(model).searchThreshold());
        ReplaySession.Plan plan = new ReplaySession.Plan(cams, r.fps, r.maxRate, r.duration, r.warmupSeconds,
                r.drainSeconds, r.bootstrap, !r.noJob, r.group, r.parallelism, r.checkpointMs, r.delivery(),
                r.watchlistUpdatesPerMinute, model,
                r.engine.models().spec(model).dimension(), threshold, r.prerender);
        ProgressBar[] bar = new ProgressBar[1]; // opened at the first frame, after the stack's own lines
        try {
            return ReplaySession.run(plan, frames, watchlist, bound, r.source(), outDir, new ReplaySession.Listener() {
                @Override
                public void line(String text) {
                    out.println(text);
                    out.flush();
                }

                @Override
                public void alert(MatchAlert a, long latencyMs) {
                    out.printf(Locale.ROOT, "ALERT %s on %s score=%.3f after %d ms (id %s)%n", a.getSubject(),
                            a.getCameras(), a.getBestScore(), latencyMs, a.getAlertId());
                    out.flush();
                }

                @Override
                public void started(String bootstrap, String deployment) throws Exception {
                    hooks.started(bootstrap, deployment);
                }

                @Override
                public void finished(ReplayReport report) throws Exception {
                    hooks.finished(report);
                }

                @Override
                public void sent(long frames) {
                    if (progress && bar[0] == null) {
                        bar[0] = Progress.bar("replay", plan.framesPerCamera() * cams.size());
                    }
                    if (bar[0] != null) {
                        bar[0].stepTo(frames);
                    }
                }
            });
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage());
        } finally {
            if (bar[0] != null) {
                bar[0].close();
            }
        }
    }


    /** Passes frames through, writing the first {@code n} of each camera as CAMERA-STEP.jpg. */
    private static FrameSource saving(FrameSource inner, Path dir, int n) throws java.io.IOException {
        Files.createDirectories(dir);
        return new FrameSource() {
            @Override
            public dev.lfr.loadtest.replay.ReplayFrame next(String camera, long step, long timeMs) throws Exception {
                dev.lfr.loadtest.replay.ReplayFrame f = inner.next(camera, step, timeMs);
                if (step < n) {
                    Files.write(dir.resolve(camera + "-" + step + ".jpg"), f.jpeg());
                }
                return f;
            }

            @Override
            public void close() throws Exception {
                inner.close();
            }
        };
    }


    private static Path requireFile(Path p) {
        if (!Files.isRegularFile(p)) {
            throw new UserError("no such file: " + p);
        }
        return p;
    }

    private static int[] size(String wxh) {
        String[] parts = wxh.toLowerCase(Locale.ROOT).split("x");
        try {
            int w = Integer.parseInt(parts[0]);
            int h = Integer.parseInt(parts[1]);
            if (parts.length == 2 && w >= 320 && h >= 240 && w <= 4096 && h <= 4096) {
                return new int[] {w, h};
            }
        } catch (RuntimeException e) {
            // falls through to the one-line error
        }
        throw new UserError("--size is WIDTHxHEIGHT between 320x240 and 4096x4096, not " + wxh);
    }

    private static List<FrameImage> backgrounds(Path video) throws Exception {
        List<FrameImage> frames = new ArrayList<>();
        if (video == null) {
            return frames;
        }
        try (VideoFrameReader reader = new VideoFrameReader(requireFile(video))) {
            FrameImage f;
            while (frames.size() < 50 && (f = reader.next()) != null) {
                frames.add(f);
            }
        }
        return frames;
    }
}
