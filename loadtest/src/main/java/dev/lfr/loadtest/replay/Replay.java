package dev.lfr.loadtest.replay;

import dev.lfr.governance.watchlist.ReferenceImages;
import dev.lfr.udfs.detect.FaceDetector;
import dev.lfr.udfs.engine.FaceEngine;
import dev.lfr.udfs.image.FrameImage;
import dev.lfr.udfs.image.VideoFrameReader;
import dev.lfr.udfs.model.ModelStore;
import dev.lfr.udfs.quality.QualityGate;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * A replay from its people to its report: the watchlist enrolled from a gallery (or the sample faces), the frames
 * (walk-past scenes of those people, a video, or a folder of images), the model-only bound when asked, then a
 * {@link ReplaySession}. {@code ./lfr replay}, {@code ./lfr demo} and the delivery and recovery benchmarks all run
 * this one sequence; they only map their options onto its records.
 */
public final class Replay {
    /** Where a replay keeps its watchlist's reference photos (an {@code lfr-image:} store in its report folder). */
    public static final String REFERENCE_IMAGES = "reference-images";

    private static final int MAX_BACKGROUND_FRAMES = 50;
    private static final int MAX_FOOTAGE_FRAMES = 500;

    private Replay() {}

    /** The face engine a replay enrols with and measures the bound with: the job's embedder and detector. */
    public record Engine(ModelStore models, String embeddingModel, FaceDetector.Config detector) {
        public int dimension() {
            return models.spec(embeddingModel).dimension();
        }

        /** The similarity an alert needs: the catalogue's calibrated search threshold for the embedder. */
        public float threshold() {
            return (float) (1 - models.spec(embeddingModel).searchThreshold());
        }
    }

    /**
     * What the frames show: walk-past scenes of a gallery's people (or the sample faces when {@code gallery} is
     * null), or else {@code video} or {@code images} (no ground truth), searched against the gallery's watchlist.
     *
     * @param walkPhotos a walk-past shows up to this many of a person's photos, never the enrolment photo
     * @param minPhotos  only gallery identities with at least this many photos (2 or more)
     * @param faces      faces in view at once per camera
     * @param background walk in front of this video's frames, or null for plain grey
     * @param saveFrames also write the first N frames of each camera to {@code OUT/frames/}
     */
    public record Scenes(Path gallery, int maxPeople, int walkPhotos, int minPhotos, int faces, Path background,
                         int width, int height, Path video, Path images, int saveFrames) {
        /** What the replayed frames show, for the report. */
        public String describe() {
            if (video != null) {
                return "video " + video;
            }
            if (images != null) {
                return "images " + images;
            }
            return "walk-pasts of " + (gallery == null ? "the sample faces" : gallery.toString()) + ", " + faces
                    + " faces a frame" + (gallery != null && walkPhotos > 1 ? ", up to " + walkPhotos
                    + " photos a walk-past" : "") + (gallery != null && minPhotos > 2 ? ", people with " + minPhotos
                    + " or more photos" : "");
        }
    }

    /** Cameras {@code cam-1} to {@code cam-N}. */
    public static List<String> cameras(int n) {
        return IntStream.rangeClosed(1, n).mapToObj(c -> "cam-" + c).toList();
    }

    /**
     * @param plan the session's plan; its embedding model, dimension and threshold should be {@code engine}'s
     * @throws IllegalArgumentException on a missing file or folder, no usable face, or a deployment the job refuses
     */
    public static ReplayReport run(Engine engine, Scenes scenes, ReplaySession.Plan plan, boolean modelBound,
                                   Path outDir, ReplaySession.Listener listener) throws Exception {
        Map<String, LocalStack.Subject> watchlist = new LinkedHashMap<>();
        FrameSource source;
        try (FaceEngine faces = new FaceEngine(engine.models(), engine.embeddingModel(), engine.detector(),
                QualityGate.defaults())) {
            if (scenes.video() != null || scenes.images() != null) {
                // unlabelled footage is searched against the gallery's (or the sample faces') watchlist: a
                // deployment cannot be activated without live subjects
                enrol(ReplayPeople.load(engine.models(), faces, scenes.gallery(), scenes.maxPeople(), 1,
                        scenes.minPhotos()), outDir,
                        watchlist).forEach(p -> p.walkCrops().forEach(FrameImage::close));
                source = scenes.video() != null
                        ? new VideoFrames(requireFile(scenes.video()),
                                Math.max(1, (int) Math.min(MAX_FOOTAGE_FRAMES, plan.framesPerCamera())))
                        : new ImageFolderFrames(scenes.images(), MAX_FOOTAGE_FRAMES);
            } else {
                List<ReplayPeople.Person> people = enrol(ReplayPeople.load(engine.models(), faces, scenes.gallery(),
                        scenes.maxPeople(), scenes.walkPhotos(), scenes.minPhotos()), outDir, watchlist);
                int steps = (int) Math.max(4, Math.round(2 * plan.fps())); // a walk-past takes about two seconds
                List<FrameImage> backgrounds = backgrounds(scenes.background());
                try {
                    source = new WalkPastScenes(people.stream().map(ReplayPeople.Person::walker).toList(),
                            backgrounds, scenes.width(), scenes.height(), scenes.faces(), steps, 40, 200, 7);
                } finally {
                    backgrounds.forEach(FrameImage::close);
                }
                listener.line(String.format(Locale.ROOT,
                        "%d people, %d on the watchlist; %d camera(s), %d face(s) in view per camera", people.size(),
                        watchlist.size(), plan.cameras().size(), scenes.faces()));
            }
        }
        FrameSource frames = scenes.saveFrames() > 0
                ? saving(source, outDir.resolve("frames"), scenes.saveFrames()) : source;
        if (modelBound && plan.jobSettings().containsKey("embedding.screening-model")) {
            listener.line("warning: the model-only bound counts each searched face at " + engine.embeddingModel()
                    + "'s cost; with embedding.screening-model most faces cost the screening model's, so the job's"
                    + " share of the bound reads high");
        }
        byte[] boundFrame = modelBound ? frames.next("model-bound", 0, 0).jpeg() : null;
        ModelOnlyBound.Measure bound = modelBound ? () -> ModelOnlyBound.measure(engine.models(),
                engine.embeddingModel(), FaceDetector.Config.defaults(), boundFrame, plan.parallelism()) : null;
        return ReplaySession.run(plan, frames, watchlist, bound, scenes.describe(), outDir, listener);
    }

    /** Puts the people with a template on {@code watchlist}, their reference photos in the replay's store. */
    private static List<ReplayPeople.Person> enrol(List<ReplayPeople.Person> people, Path outDir,
                                                   Map<String, LocalStack.Subject> watchlist) {
        ReferenceImages references = new ReferenceImages(outDir.resolve(REFERENCE_IMAGES));
        people.stream().filter(p -> p.template() != null).forEach(p -> watchlist.put(p.id(), new LocalStack.Subject(
                p.template(), p.id().replace('_', ' '),
                p.reference() == null ? null : references.store(LocalStack.WATCHLIST, p.id(), p.reference()))));
        return people;
    }

    /** Passes frames through, writing the first {@code n} of each camera as CAMERA-STEP.jpg. */
    private static FrameSource saving(FrameSource inner, Path dir, int n) throws IOException {
        Files.createDirectories(dir);
        return new FrameSource() {
            @Override
            public ReplayFrame next(String camera, long step, long timeMs) throws Exception {
                ReplayFrame f = inner.next(camera, step, timeMs);
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
            throw new IllegalArgumentException("no such file: " + p);
        }
        return p;
    }

    private static List<FrameImage> backgrounds(Path video) throws Exception {
        List<FrameImage> frames = new ArrayList<>();
        if (video == null) {
            return frames;
        }
        try (VideoFrameReader reader = new VideoFrameReader(requireFile(video))) {
            FrameImage f;
            while (frames.size() < MAX_BACKGROUND_FRAMES && (f = reader.next()) != null) {
                frames.add(f);
            }
        }
        return frames;
    }
}
