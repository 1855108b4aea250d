package dev.lfr.udfs.pipeline;

import ai.onnxruntime.OrtException;
import dev.lfr.udfs.align.AlignedFace;
import dev.lfr.udfs.align.FaceAligner;
import dev.lfr.udfs.detect.Box;
import dev.lfr.udfs.detect.Detection;
import dev.lfr.udfs.detect.FaceDetector;
import dev.lfr.udfs.detect.Tiling;
import dev.lfr.udfs.embed.FaceDescriptor;
import dev.lfr.udfs.embed.FaceEmbedder;
import dev.lfr.udfs.image.FrameImage;
import dev.lfr.udfs.image.ImageDecodeException;
import dev.lfr.udfs.image.ImageDecoder;
import dev.lfr.udfs.model.ModelSpec;
import dev.lfr.udfs.model.ModelStore;
import dev.lfr.udfs.quality.FaceQuality;
import dev.lfr.udfs.quality.QualityGate;
import dev.lfr.udfs.quality.QualityReport;
import dev.lfr.udfs.track.IouTracker;
import dev.lfr.udfs.track.TrackState;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The face pipeline of one frame, in the order the work is done: decode, detect, assess quality, decide with the
 * tracker which faces to embed, align and embed them. It owns its ONNX Runtime sessions and is built from a
 * serialisable {@link Config} (a Flink operator builds it in {@code open()}). The matcher, {@code FaceEngine} and
 * the benchmarks all use this one sequence. Not thread-safe: one per thread. Not final, so that a test of an
 * operator can make a stage fail.
 */
public class FramePipeline implements AutoCloseable {
    /**
     * @param modelsDir      the installed models folder (installed there if missing)
     * @param embeddingModel the embedder's model id
     * @param detector       detector settings
     * @param gate           which faces are good enough to embed
     * @param embeddingBatch faces embedded in one model call at most
     * @param flipAveraging  each face also embedded mirrored, the two summed (twice the embedding work)
     * @param motionGate     whether and how frames of a still scene go unsearched
     * @param schedule       on which frames of a camera the detector runs
     * @param tracker        how faces are followed across frames, and how often a track is embedded
     * @param fusion         whether a track's faces are also searched as one, by their mean ({@link WalkPastFusion})
     * @param motionTiles    with the detector's tiles on, search only the tiles where the scene changed or a face is
     *                       tracked ({@link MotionTiles}); off: every tile of every searched frame
     * @param screening      whether a cheaper embedder screens faces first ({@link Screening})
     */
    public record Config(String modelsDir, String embeddingModel, FaceDetector.Config detector, QualityGate gate,
                         int embeddingBatch, boolean flipAveraging, MotionGate.Config motionGate,
                         DetectionSchedule.Config schedule, IouTracker tracker, boolean fusion, boolean motionTiles,
                         Screening screening)
            implements Serializable {
        public Config {
            if (embeddingBatch < 1) {
                throw new IllegalArgumentException("the embedding batch must be at least 1");
            }
            screening = screening == null ? Screening.off() : screening;
            if (screening.on() && screening.model().equals(embeddingModel)) {
                throw new IllegalArgumentException("the screening model must differ from the embedding model "
                        + embeddingModel);
            }
        }

        public static Config defaults(Path modelsDir, String embeddingModel) {
            return new Config(modelsDir.toString(), embeddingModel, FaceDetector.Config.defaults(),
                    QualityGate.defaults(), 8, false, MotionGate.Config.off(), DetectionSchedule.Config.everyFrame(),
                    IouTracker.defaults(), false, true, Screening.off());
        }

        public Config withDetector(FaceDetector.Config settings) {
            return new Config(modelsDir, embeddingModel, settings, gate, embeddingBatch, flipAveraging, motionGate,
                    schedule, tracker, fusion, motionTiles, screening);
        }

        public Config withEmbeddingModel(String model) {
            return new Config(modelsDir, model, detector, gate, embeddingBatch, flipAveraging, motionGate, schedule,
                    tracker, fusion, motionTiles, screening);
        }

        public Config withScreening(Screening settings) {
            return new Config(modelsDir, embeddingModel, detector, gate, embeddingBatch, flipAveraging, motionGate,
                    schedule, tracker, fusion, motionTiles, settings);
        }
    }

    /**
     * Every face found on a frame, with its quality report and whether it passed the gate, in detector order, and the
     * detector passes it took (the whole frame and the tiles searched).
     */
    public record Faces(List<Detection> detections, List<QualityReport> reports, List<Boolean> usable, int passes) {
        public int size() {
            return detections.size();
        }
    }

    private final ImageDecoder decoder = new ImageDecoder();
    private final FaceDetector detector;
    private final FaceQuality quality = new FaceQuality();
    private final QualityGate gate;
    private final FaceAligner aligner;
    private final FaceEmbedder embedder;
    private final FaceEmbedder screener;
    private final Screening screening;
    private final IouTracker tracker;
    private final boolean scheduled;
    private final WalkPastFusion fusion;
    private final MotionGate motion;
    private final DetectionSchedule schedule;
    private final MotionTiles motionTiles;

    public FramePipeline(ModelStore models, Config config) {
        this.detector = new FaceDetector(models, config.detector());
        this.gate = config.gate();
        this.aligner = new FaceAligner(models, config.embeddingModel());
        this.embedder = new FaceEmbedder(models, config.embeddingModel(), config.embeddingBatch(),
                config.flipAveraging());
        this.screening = config.screening();
        this.screener = screening.on() ? screener(models, config) : null;
        this.motion = new MotionGate(config.motionGate());
        this.schedule = new DetectionSchedule(config.schedule());
        this.tracker = config.tracker().forSchedule(config.schedule().every());
        this.scheduled = config.schedule().every() > 1;
        this.fusion = config.fusion() ? new WalkPastFusion() : null;
        this.motionTiles = config.motionTiles() && config.detector().tileSize() > 0
                ? new MotionTiles(config.detector().tileSize(), config.detector().tileOverlap()) : null;
    }

    private FaceEmbedder screener(ModelStore models, Config config) {
        FaceEmbedder s = new FaceEmbedder(models, screening.model(), config.embeddingBatch(), config.flipAveraging());
        if (!sameChipsAndOutput(s.spec(), embedder.spec())) { // one chip for both, one output space
            String refused = s.embeddingModel();
            try {
                s.close();
            } catch (OrtException e) {
                throw new IllegalStateException(e);
            }
            throw new IllegalArgumentException("the screening model " + refused + " is not a reduced form of "
                    + embedder.embeddingModel() + ": its output or alignment differs");
        }
        return s;
    }

    private static boolean sameChipsAndOutput(ModelSpec a, ModelSpec b) {
        return java.util.Objects.equals(a.dimension(), b.dimension())
                && a.input().width() == b.input().width() && a.input().height() == b.input().height()
                && a.alignment().landmarks().equals(b.alignment().landmarks())
                && a.alignment().points().equals(b.alignment().points())
                && java.util.Arrays.deepEquals(a.alignment().template(), b.alignment().template())
                && a.alignment().landmarkBoxScale() == b.alignment().landmarkBoxScale();
    }

    /** Opens the models of {@code config.modelsDir()} (installing them if needed) and builds the pipeline. */
    public static FramePipeline open(Config config) {
        return new FramePipeline(ModelStore.ensure(Path.of(config.modelsDir())), config);
    }

    public FrameImage decode(byte[] image) throws ImageDecodeException {
        return decoder.decode(image);
    }

    /**
     * Whether this frame of {@code camera} is one the detector runs on ({@link DetectionSchedule}); the frames
     * between are not even decoded. Counts the frame either way.
     */
    public boolean detectionDue(String camera) {
        return schedule.due(camera);
    }

    /**
     * Whether this frame of {@code camera} may go unsearched because its scene is still and no face is tracked
     * ({@link MotionGate}); always false with the gate off. Costs a reduced decode of the image when on.
     */
    public boolean still(String camera, byte[] image, boolean tracking) throws ImageDecodeException {
        if (!motion.enabled()) {
            return false;
        }
        if (tracking) { // searched anyway: no thumbnail; the first frame after the tracks end counts as a change
            motion.forget(camera);
            return false;
        }
        return motion.still(camera, decoder.thumbnail(image, MotionGate.WIDTH, MotionGate.HEIGHT), false);
    }

    /** The next frame of {@code camera} is searched whatever it shows (after a frame that failed). */
    public void forgetScene(String camera) {
        motion.forget(camera);
        schedule.forget(camera);
        if (motionTiles != null) {
            motionTiles.forget(camera);
        }
    }

    /** Detects the faces of a frame, in every tile the detector is configured with, and assesses each. */
    public Faces detect(FrameImage frame) throws OrtException {
        return assess(frame, detector.detect(frame, detector.tiles(frame.width(), frame.height())));
    }

    /**
     * Detects the faces of a frame of {@code camera} and assesses each; with motion tiles on, only the tiles where
     * its scene changed since its last searched frame, or near one of its {@code tracked} faces seen on one of its
     * last two searched frames, are searched.
     */
    public Faces detect(String camera, FrameImage frame, List<TrackState> tracked) throws OrtException {
        if (motionTiles == null) {
            return detect(frame);
        }
        // a face the last two passes both missed has most likely left: its place costs a tile only if it moves
        List<Box> boxes = tracked.stream().filter(t -> t.missedPasses() <= 1).map(TrackState::box).toList();
        List<Tiling.Region> tiles = motionTiles.tiles(camera, MotionTiles.thumbnail(frame), frame.width(),
                frame.height(), boxes);
        return assess(frame, detector.detect(frame, tiles));
    }

    private Faces assess(FrameImage frame, FaceDetector.Found detected) {
        List<Detection> found = detected.faces();
        List<QualityReport> reports = new ArrayList<>(found.size());
        List<Boolean> usable = new ArrayList<>(found.size());
        for (Detection d : found) {
            QualityReport q = quality.assess(frame, d);
            reports.add(q);
            usable.add(gate.passes(q));
        }
        return new Faces(found, reports, usable, detected.passes());
    }

    /** Follows the faces from the camera's tracks; the step says which faces to embed. */
    public IouTracker.Step track(List<TrackState> known, long nextTrackId, long timeMs, Faces faces) {
        return tracker.step(known, nextTrackId, timeMs, faces.detections(), faces.reports(), faces.usable(),
                scheduled);
    }

    /**
     * With fusion on, each embedded face's track mean so far ({@link WalkPastFusion#add}), to be searched beside the
     * face's own descriptor: an entry per descriptor, null where the track has only that face or fusion is off.
     */
    public float[][] fuse(String camera, long[] trackIds, List<FaceDescriptor> descriptors) {
        float[][] means = new float[descriptors.size()][];
        for (int i = 0; fusion != null && i < means.length; i++) {
            means[i] = fusion.add(camera, trackIds[i], descriptors.get(i).vector());
        }
        return means;
    }

    /** The camera's tracks after a frame: descriptors fused for tracks that ended are dropped. */
    public void followed(String camera, List<TrackState> tracks) {
        if (fusion != null) {
            fusion.retain(camera, tracks);
        }
    }

    /** Drops fused descriptors no face was added to for {@link WalkPastFusion#IDLE_NANOS}, on every camera. */
    public void dropIdleFused() {
        if (fusion != null) {
            fusion.dropIdle();
        }
    }

    /** Tracks whose fused descriptors are held in memory (0 with fusion off). */
    public int fusedTracksHeld() {
        return fusion == null ? 0 : fusion.tracksHeld();
    }

    /**
     * A frame's faces, aligned once, and their descriptors by the first model to embed them: the screening model when
     * screening is on, else the embedding model. The chips stay until it is closed, so that the faces near the
     * threshold can go to {@link #embedExactly} without being aligned again.
     */
    public static final class Embedded implements AutoCloseable {
        private final List<AlignedFace> chips;
        private final List<FaceDescriptor> descriptors;

        private Embedded(List<AlignedFace> chips, List<FaceDescriptor> descriptors) {
            this.chips = chips;
            this.descriptors = descriptors;
        }

        public List<FaceDescriptor> descriptors() {
            return descriptors;
        }

        /** Releases the chips. */
        @Override
        public void close() {
            chips.forEach(c -> c.chip().close());
        }
    }

    /** Aligns and embeds {@code faces} of {@code frame} in batches; the chips are released before it returns. */
    public List<FaceDescriptor> embed(FrameImage frame, List<Detection> faces) throws OrtException {
        try (Embedded e = embedAligned(frame, faces)) {
            return e.descriptors();
        }
    }

    /** Aligns {@code faces} of {@code frame} once and embeds them in batches; close the result to release the chips. */
    public Embedded embedAligned(FrameImage frame, List<Detection> faces) throws OrtException {
        List<AlignedFace> chips = new ArrayList<>(faces.size());
        try {
            for (Detection d : faces) {
                chips.add(aligner.align(frame, d));
            }
            // the screener shares the embedding model's alignment (checked at open): the same chips, relabelled
            List<FaceDescriptor> first = screener == null ? embedder.embedAll(chips) : screener.embedAll(chips.stream()
                    .map(c -> new AlignedFace(screener.embeddingModel(), c.chip(), c.landmarks(), c.transform()))
                    .toList());
            return new Embedded(chips, first);
        } catch (OrtException | RuntimeException e) {
            chips.forEach(c -> c.chip().close());
            throw e;
        }
    }

    /** The embedding model's (the watchlist's) descriptors of the faces of {@code embedded} at {@code which}. */
    public List<FaceDescriptor> embedExactly(Embedded embedded, List<Integer> which) throws OrtException {
        return embedder.embedAll(which.stream().map(embedded.chips::get).toList());
    }

    public Screening screening() {
        return screening;
    }

    public FaceEmbedder embedder() {
        return embedder;
    }

    public QualityGate gate() {
        return gate;
    }

    @Override
    public void close() throws OrtException {
        quality.close();
        embedder.close();
        if (screener != null) {
            screener.close();
        }
        aligner.close();
        detector.close();
    }
}
