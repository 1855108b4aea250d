package dev.lfr.jobs.match;

import static org.assertj.core.api.Assertions.assertThat;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;

import ai.onnxruntime.OrtException;
import dev.lfr.jobs.BiometricScan;
import dev.lfr.jobs.LiveMatchJob;
import dev.lfr.jobs.LiveMatchOptions;
import dev.lfr.jobs.Records;
import dev.lfr.jobs.deadletter.DeadLetters;
import dev.lfr.jobs.deadletter.Provenance;
import dev.lfr.jobs.gate.GatedFrame;
import dev.lfr.jobs.ingest.ControlRecord;
import dev.lfr.jobs.ingest.ControlTopic;
import dev.lfr.jobs.metrics.MetricEvent;
import dev.lfr.schemas.DeadLetter;
import dev.lfr.schemas.DeadLetterReason;
import dev.lfr.schemas.WatchlistOp;
import dev.lfr.schemas.WatchlistUpdate;
import dev.lfr.udfs.detect.Detection;
import dev.lfr.udfs.engine.FaceEngine;
import dev.lfr.udfs.engine.FaceResult;
import dev.lfr.udfs.image.FrameImage;
import dev.lfr.udfs.image.ImageDecoder;
import dev.lfr.udfs.image.JpegCrops;
import dev.lfr.udfs.index.WatchlistIndexes;
import dev.lfr.udfs.model.ModelStore;
import dev.lfr.udfs.pipeline.FramePipeline;
import dev.lfr.udfs.pipeline.WalkPastFusion;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.StateObject;
import org.apache.flink.runtime.state.StreamStateHandle;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The matcher on real LFW faces: one enrolled person, one passer-by, bad frames and bad watchlist updates. */
class FaceMatcherTest {
    private static final String MODEL = "fr-feature-512";
    /** The catalogue's search threshold (a cosine distance) as the similarity a deployment sets. */
    private static final float THRESHOLD =
            (float) (1 - dev.lfr.udfs.model.ModelCatalog.load().model(MODEL).searchThreshold());
    private static Path lfw;
    private static float[] colin;
    private static float[] zico;

    private KeyedBroadcastOperatorTestHarness<String, GatedFrame, ControlRecord<WatchlistUpdate>, MatchCandidate> harness;

    @BeforeAll
    static void faces() throws Exception {
        lfw = dev.lfr.jobs.SharedLfw.dir();
        // computed independently of the operator, with the engine the CLI uses
        try (FaceEngine engine = FaceEngine.withDefaults(ModelStore.ensureDefault(), MODEL)) {
            colin = descriptor(engine, "Colin_Powell/Colin_Powell_0001.jpg");
            zico = descriptor(engine, "Zico/Zico_0001.jpg");
        }
    }

    private static float[] descriptor(FaceEngine engine, String image) throws Exception {
        try (FrameImage img = new ImageDecoder().decode(lfw.resolve(image))) {
            return engine.mainFace(img).flatMap(FaceResult::descriptor).orElseThrow().vector();
        }
    }

    @BeforeEach
    void open() throws Exception {
        harness = ProcessFunctionTestHarnesses.forKeyedBroadcastProcessFunction(
                new FaceMatcher(dev.lfr.jobs.LiveMatchJob.Config.defaults().pipeline(), WatchlistIndexes.Choice.AUTO,
                        dev.lfr.jobs.ingest.StartupRead.none()), g -> g.frame().getCamera(), Types.STRING,
                FaceMatcher.WATCHLIST);
        harness.processBroadcastElement(control(enrol("colin", 1, colin)), 0);
    }

    @AfterEach
    void close() throws Exception {
        harness.close();
    }

    private static WatchlistUpdate enrol(String subject, long version, float[] v) {
        List<Float> vector = new ArrayList<>();
        for (float x : v) {
            vector.add(x);
        }
        return WatchlistUpdate.newBuilder().setWatchlist("wl").setSubject(subject).setVersion(version)
                .setOp(WatchlistOp.UPSERT).setEmbeddingModel(MODEL).setVector(vector).build();
    }

    private static ControlRecord<WatchlistUpdate> control(WatchlistUpdate u) {
        return Records.control(ControlTopic.WATCHLIST, u);
    }

    private GatedFrame frame(String camera, long t, String image) throws Exception {
        return frame(camera, t, Files.readAllBytes(lfw.resolve(image)));
    }

    private static GatedFrame frame(String camera, long t, byte[] jpeg) {
        return new GatedFrame(Records.SOURCE, Records.frame(camera, t, jpeg), "d1", "wl", THRESHOLD);
    }

    private List<DeadLetter> deadLetters() {
        var q = harness.getSideOutput(DeadLetters.TAG);
        return q == null ? List.of() : q.stream().map(StreamRecord::getValue).toList();
    }

    @Test
    void anEnrolledPersonMatchesOncePerWalkPastAndAPasserByLeavesNothing() throws Exception {
        harness.processElement(frame("cam-a", 0, "Colin_Powell/Colin_Powell_0002.jpg"), 0);
        harness.processElement(frame("cam-a", 40, "Colin_Powell/Colin_Powell_0002.jpg"), 40); // same track: not re-embedded
        harness.processElement(frame("cam-b", 0, "Zico/Zico_0001.jpg"), 0);
        List<MatchCandidate> out = harness.extractOutputValues();
        assertThat(out).singleElement().satisfies(c -> {
            assertThat(c.subject()).isEqualTo("colin");
            assertThat(c.camera()).isEqualTo("cam-a");
            assertThat(c.deployment()).isEqualTo("d1");
            assertThat(c.score()).isGreaterThanOrEqualTo(THRESHOLD);
            assertThat(c.watchlistVersion()).isEqualTo(1);
            assertThat(c.embeddingModel()).isEqualTo(MODEL);
            assertThat(Arrays.copyOf(c.cropJpeg(), 2)).containsExactly(0xFF, 0xD8);
        });
        assertThat(deadLetters()).isEmpty();
    }

    @Test
    void aCheckpointHoldsNoDescriptorOfAPasserBy() throws Exception {
        harness.processElement(frame("cam-b", 0, "Zico/Zico_0001.jpg"), 0);
        assertThat(harness.extractOutputValues()).isEmpty();
        // the same frame where everything matches proves this face was embedded and searched, not skipped
        GatedFrame anything = frame("cam-z", 0, "Zico/Zico_0001.jpg");
        harness.processElement(new GatedFrame(anything.source(), anything.frame(), "d1", "wl", -1f), 0);
        assertThat(harness.extractOutputValues()).singleElement().satisfies(c -> assertThat(c.score()).isLessThan(THRESHOLD));
        byte[] checkpoint = bytesOf(harness.snapshot(1, 1));
        assertThat(checkpoint.length).isGreaterThan(0);
        // positive control: the enrolled vector is in broadcast state, so the scan does find a vector that is there
        // (Flink's Avro serializer writes floats big-endian; either order is searched); the passer-by's descriptor
        // is in neither
        assertThat(BiometricScan.holds(checkpoint, colin)).isTrue();
        assertThat(BiometricScan.holds(checkpoint, zico)).isFalse();
    }

    @Test
    void undecodableFramesBecomeDeadLettersAndTheOperatorRunsOn() throws Exception {
        byte[] jpeg = Files.readAllBytes(lfw.resolve("Colin_Powell/Colin_Powell_0002.jpg"));
        harness.processElement(frame("cam-c", 0, Arrays.copyOf(jpeg, jpeg.length / 2)), 0);
        harness.processElement(frame("cam-c", 40, new byte[] {1, 2, 3, 4}), 40);
        harness.processElement(frame("cam-c", 80, jpeg), 80);
        assertThat(deadLetters()).extracting(DeadLetter::getReason)
                .containsExactly(DeadLetterReason.TRUNCATED_IMAGE, DeadLetterReason.UNSUPPORTED_IMAGE);
        assertThat(deadLetters()).allSatisfy(d -> assertThat(d.getCamera()).isEqualTo("cam-c"));
        assertThat(harness.extractOutputValues()).extracting(MatchCandidate::subject).containsExactly("colin");
    }

    @Test
    void deletionsApplyAndALateOlderUpsertDoesNotReviveTheSubject() throws Exception {
        harness.processBroadcastElement(control(WatchlistUpdate.newBuilder(enrol("colin", 2, colin)).setOp(WatchlistOp.DELETE)
                .setVector(null).build()), 0);
        harness.processBroadcastElement(control(enrol("colin", 1, colin)), 0);
        harness.processElement(frame("cam-d", 0, "Colin_Powell/Colin_Powell_0002.jpg"), 0);
        assertThat(harness.extractOutputValues()).isEmpty();
    }

    @Test
    void aTombstoneDeletesTheSubjectAndALaterEnrolmentBringsItBack() throws Exception {
        harness.processBroadcastElement(new ControlRecord<>(new Provenance("lfr.watchlist", 0, 9), "wl/colin", null), 0);
        harness.processElement(frame("cam-d", 0, "Colin_Powell/Colin_Powell_0002.jpg"), 0);
        assertThat(harness.extractOutputValues()).isEmpty();
        assertThat(harness.getBroadcastState(FaceMatcher.WATCHLIST).get("wl/colin").vector())
                .as("the deleted entry's vector is gone from state").isNull();
        harness.processBroadcastElement(control(enrol("colin", 1, colin)), 0); // re-enrolled after the tombstone
        harness.processElement(frame("cam-e", 0, "Colin_Powell/Colin_Powell_0002.jpg"), 0);
        assertThat(harness.extractOutputValues()).extracting(MatchCandidate::subject).containsExactly("colin");
    }

    /** The schema's promise: after its expiry instant the entry is ignored, with no further watchlist update. */
    @Test
    void anEntryStopsMatchingAtItsExpiryWithoutAnyFurtherUpdate() throws Exception {
        harness.processBroadcastElement(control(WatchlistUpdate.newBuilder(enrol("colin", 2, colin))
                .setExpiry(Records.at(3_000)).build()), 0);
        harness.processElement(frame("cam-f", 0, "Colin_Powell/Colin_Powell_0002.jpg"), 0);
        harness.processElement(frame("cam-f", 5_000, "Colin_Powell/Colin_Powell_0002.jpg"), 5_000); // a new track
        assertThat(harness.extractOutputValues()).extracting(MatchCandidate::subject, MatchCandidate::timeMs)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("colin", Records.at(0).toEpochMilli()));
    }

    /** Watchlist entries are checkpointed by Flink's own POJO serializer (float[] vectors), not by Kryo. */
    @Test
    void broadcastStateEntriesAreFlinkPojos() {
        assertThat(TypeInformation.of(dev.lfr.udfs.watchlist.LiveWatchlist.Update.class))
                .isInstanceOf(org.apache.flink.api.java.typeutils.PojoTypeInfo.class);
    }

    /** An ONNX Runtime failure on one frame is that frame's dead letter; the next frame alerts as usual. */
    @Test
    void aFailingModelCallIsADeadLetterAndTheNextFrameStillAlerts() throws Exception {
        FaceMatcher failingOnce = new FaceMatcher(dev.lfr.jobs.LiveMatchJob.Config.defaults().pipeline(),
                WatchlistIndexes.Choice.AUTO, dev.lfr.jobs.ingest.StartupRead.none()) {
            @Override
            protected FramePipeline openPipeline(FramePipeline.Config config) {
                return new FramePipeline(ModelStore.ensure(java.nio.file.Path.of(config.modelsDir())), config) {
                    private boolean failed;

                    @Override
                    public Embedded embedAligned(FrameImage frame, List<Detection> faces) throws OrtException {
                        if (!failed) {
                            failed = true;
                            throw new OrtException("injected failure");
                        }
                        return super.embedAligned(frame, faces);
                    }
                };
            }
        };
        try (var h = ProcessFunctionTestHarnesses.forKeyedBroadcastProcessFunction(failingOnce,
                (GatedFrame g) -> g.frame().getCamera(), Types.STRING, FaceMatcher.WATCHLIST)) {
            h.processBroadcastElement(control(enrol("colin", 1, colin)), 0);
            h.processElement(frame("cam-g", 0, "Colin_Powell/Colin_Powell_0002.jpg"), 0);
            h.processElement(frame("cam-g", 40, "Colin_Powell/Colin_Powell_0002.jpg"), 40);
            assertThat(h.getSideOutput(DeadLetters.TAG)).extracting(r -> r.getValue().getReason())
                    .containsExactly(DeadLetterReason.MODEL_FAILURE);
            assertThat(h.extractOutputValues()).extracting(MatchCandidate::subject).containsExactly("colin");
        }
    }

    /**
     * A camera watching a still, empty scene is searched only every tenth frame (the motion gate's full pass); a
     * face walking in is searched at once, and while it is tracked every frame is searched.
     */
    @Test
    void aStillSceneIsSearchedOnlyOnFullPassesAndAFaceAtOnce() throws Exception {
        int[] detections = new int[1];
        FaceMatcher counting = countingDetections(dev.lfr.jobs.LiveMatchJob.Config.defaults().pipeline(), detections);
        byte[] empty = emptyScene();
        try (var h = ProcessFunctionTestHarnesses.forKeyedBroadcastProcessFunction(counting,
                (GatedFrame g) -> g.frame().getCamera(), Types.STRING, FaceMatcher.WATCHLIST)) {
            h.processBroadcastElement(control(enrol("colin", 1, colin)), 0);
            for (int i = 0; i < 12; i++) {
                h.processElement(frame("cam-s", i * 200L, empty), i * 200L);
            }
            assertThat(detections[0]).as("frames 1 and 11 of 12").isEqualTo(2);
            assertThat(h.getSideOutput(MetricEvent.FRAMES)).hasSize(12); // every frame is counted
            h.processElement(frame("cam-s", 2_400, "Colin_Powell/Colin_Powell_0002.jpg"), 2_400);
            assertThat(detections[0]).isEqualTo(3);
            assertThat(h.extractOutputValues()).extracting(MatchCandidate::subject).containsExactly("colin");
            h.processElement(frame("cam-s", 2_600, "Colin_Powell/Colin_Powell_0002.jpg"), 2_600);
            assertThat(detections[0]).as("the same frame again, but a face is tracked").isEqualTo(4);
        }
    }

    /** A grey 640x480 JPEG: a scene without a face. */
    private static byte[] emptyScene() {
        try (org.bytedeco.opencv.opencv_core.Mat grey = new org.bytedeco.opencv.opencv_core.Mat(480, 640,
                org.bytedeco.opencv.global.opencv_core.CV_8UC3, new org.bytedeco.opencv.opencv_core.Scalar(90, 100, 110, 0))) {
            return dev.lfr.udfs.image.JpegCrops.encode(grey, 85);
        }
    }

    /**
     * With {@code track.fusion} a track's faces are also searched by their mean: an enrolled face still matches on
     * every embed; a passer-by's faces are summed in the operator's memory while the track lives, never reach a
     * checkpoint, and are dropped once the track ends.
     */
    @Test
    void fusedDescriptorsStayInMemoryUntilTheTrackEndsAndNeverReachACheckpoint() throws Exception {
        org.apache.flink.configuration.Configuration conf = new org.apache.flink.configuration.Configuration();
        conf.set(dev.lfr.jobs.LiveMatchOptions.TRACK_FUSION, true);
        conf.set(dev.lfr.jobs.LiveMatchOptions.TRACK_REEMBED_GAIN, 1.0); // the same face embedded again, 3 times
        conf.set(dev.lfr.jobs.LiveMatchOptions.TRACK_MAX_EMBEDS, 3);
        FramePipeline[] opened = new FramePipeline[1];
        int[] idleDrops = {0};
        FaceMatcher fusing = new FaceMatcher(dev.lfr.jobs.LiveMatchJob.Config.from(conf).pipeline(),
                WatchlistIndexes.Choice.AUTO, dev.lfr.jobs.ingest.StartupRead.none()) {
            @Override
            protected FramePipeline openPipeline(FramePipeline.Config config) {
                opened[0] = new FramePipeline(ModelStore.ensure(java.nio.file.Path.of(config.modelsDir())), config) {
                    @Override
                    public void dropIdleFused() {
                        idleDrops[0]++;
                        super.dropIdleFused();
                    }
                };
                return opened[0];
            }
        };
        try (var h = ProcessFunctionTestHarnesses.forKeyedBroadcastProcessFunction(fusing,
                (GatedFrame g) -> g.frame().getCamera(), Types.STRING, FaceMatcher.WATCHLIST)) {
            h.processBroadcastElement(control(enrol("colin", 1, colin)), 0);
            for (int i = 0; i < 4; i++) {
                h.processElement(frame("cam-c", i * 200L, "Colin_Powell/Colin_Powell_0002.jpg"), i * 200L);
                h.processElement(frame("cam-f", i * 200L, "Zico/Zico_0001.jpg"), i * 200L);
            }
            assertThat(h.extractOutputValues()).as("three embeds of Colin's track, the most a track gets")
                    .extracting(MatchCandidate::subject).containsExactly("colin", "colin", "colin");
            assertThat(opened[0].fusedTracksHeld()).as("Colin's track and the passer-by's").isEqualTo(2);
            byte[] checkpoint = bytesOf(h.snapshot(1, 1));
            assertThat(BiometricScan.holds(checkpoint, colin)).isTrue(); // the enrolled vector: the scan works
            assertThat(BiometricScan.holds(checkpoint, zico)).isFalse();
            // should both cameras fall silent, a timer each drops what has been idle (by the wall clock, which the
            // fusion goes by: not yet here)
            assertThat(h.numProcessingTimeTimers()).as("one a camera, however many frames").isEqualTo(2);
            h.setProcessingTime(h.getProcessingTime() + WalkPastFusion.IDLE_NANOS / 1_000_000 + 1_000);
            assertThat(idleDrops[0]).isEqualTo(2);
            assertThat(h.numProcessingTimeTimers()).isZero();
            byte[] empty = emptyScene();
            for (long t : new long[] {800, 2_400}) { // missed by a pass, then unseen for 1.6 s: the tracks end
                h.processElement(frame("cam-c", t, empty), t);
                h.processElement(frame("cam-f", t, empty), t);
            }
            assertThat(opened[0].fusedTracksHeld()).isZero();
        }
    }

    /**
     * With {@code detection.every 3} the detector runs on 3 of a camera's 7 frames: a face is still alerted on from
     * the first frame, every frame is counted, and the frames between are neither detected nor searched.
     */
    @Test
    void theDetectorRunsOnEveryThirdFrameAndTheFirstAlerts() throws Exception {
        Scheduled run = colinStandingStill(3, "cam-k", 7);
        assertThat(run.detections()).as("the first frame, then one of every 3 in the camera's phase").isEqualTo(3);
        assertThat(run.frameEvents()).isEqualTo(7);
        assertThat(run.framesDetected()).as("the metrics count the frames the detector ran on").isEqualTo(3);
        assertThat(run.candidates()).extracting(MatchCandidate::subject).first().isEqualTo("colin");
        long first = Records.frame("cam-k", 0, new byte[0]).getCaptureTime().toEpochMilli();
        assertThat(run.candidates()).extracting(MatchCandidate::timeMs).as("found on detected frames only")
                .first().isEqualTo(first);
        assertThat(run.candidates()).hasSizeLessThanOrEqualTo(3);
    }

    /**
     * With the detector on one frame of 10 at 5 fps its passes are 2 s apart, longer than the tracker's 1.5 s gap: a
     * face standing still stays one track, not a new person at each pass.
     */
    @Test
    void passesFurtherApartThanTheTrackerGapKeepOneTrack() throws Exception {
        Scheduled run = colinStandingStill(10, "cam-g", 31);
        assertThat(run.detections()).as("four passes, 2 s apart").isEqualTo(4);
        // one track across the passes, never a new track at each pass; embedded at each pass, since a pass is ten
        // frames and track.reembed-every (3) counts frames
        assertThat(run.candidates()).extracting(MatchCandidate::subject).containsExactly("colin", "colin", "colin", "colin");
        assertThat(run.candidates()).extracting(MatchCandidate::trackId).containsOnly(run.candidates().get(0).trackId());
    }

    /**
     * Colin Powell standing still, small in a 1280x720 frame, with 384 px tiles where there is motion: his camera's
     * first frame searches every tile, the frames after only the tiles around his track, and the frame metrics count
     * the passes that ran.
     */
    @Test
    void tilesWhereMotionRunAroundTheTrackAndAreCounted() throws Exception {
        byte[] jpeg;
        try (FrameImage photo = new ImageDecoder().decode(lfw.resolve("Colin_Powell/Colin_Powell_0002.jpg"));
             Mat canvas = new Mat(720, 1280, CV_8UC3, new Scalar(90, 100, 110, 0));
             Rect at = new Rect(500, 300, photo.width(), photo.height()); Mat dst = new Mat(canvas, at)) {
            photo.mat().copyTo(dst);
            jpeg = JpegCrops.encode(canvas, 90);
        }
        Configuration conf = new Configuration();
        conf.set(LiveMatchOptions.DETECTOR_TILE_SIZE, 384);
        FaceMatcher tiled = new FaceMatcher(LiveMatchJob.Config.from(conf).pipeline(),
                WatchlistIndexes.Choice.AUTO, dev.lfr.jobs.ingest.StartupRead.none());
        try (var h = ProcessFunctionTestHarnesses.forKeyedBroadcastProcessFunction(tiled,
                (GatedFrame g) -> g.frame().getCamera(), Types.STRING, FaceMatcher.WATCHLIST)) {
            h.processBroadcastElement(control(enrol("colin", 1, colin)), 0);
            for (int i = 0; i < 4; i++) {
                h.processElement(frame("cam-t", i * 200L, jpeg), i * 200L);
            }
            List<Long> passes = h.getSideOutput(MetricEvent.FRAMES).stream().map(e -> e.getValue().detectorPasses()).toList();
            assertThat(passes).hasSize(4);
            assertThat(passes.get(0)).as("the first frame: the whole frame and its 15 tiles").isEqualTo(16);
            assertThat(passes.subList(1, 4)).as("a still scene: the tiles around the track").allSatisfy(
                    p -> assertThat(p).isBetween(2L, 15L));
            assertThat(h.extractOutputValues()).extracting(MatchCandidate::subject).contains("colin");
        }
    }

    /**
     * With screening, the 8-bit model embeds the face first; near the threshold (here: a margin of 1, so always) the
     * embedding model embeds it again and its score decides, the same score as the unscreened matcher's. With a
     * margin too small to catch it, the screened score stands: close to the exact one but not equal.
     */
    @Test
    void aScreenedFaceNearTheThresholdIsDecidedByTheEmbeddingModel() throws Exception {
        harness.processElement(frame("cam-s", 0, "Colin_Powell/Colin_Powell_0002.jpg"), 0);
        float exact = harness.extractOutputValues().get(0).score();

        int[] exactFaces = new int[1];
        List<MatchCandidate> always = screenedRun(1.0, exactFaces);
        assertThat(exactFaces[0]).as("embedded again by the embedding model").isEqualTo(1);
        assertThat(always).singleElement().satisfies(c -> {
            assertThat(c.score()).isCloseTo(exact, org.assertj.core.data.Offset.offset(1e-5f));
            assertThat(c.embeddingModel()).isEqualTo(MODEL);
        });

        exactFaces[0] = 0;
        List<MatchCandidate> never = screenedRun(1e-6, exactFaces);
        assertThat(exactFaces[0]).as("a screened score far from the threshold stands").isZero();
        assertThat(never).singleElement().satisfies(c -> {
            assertThat(c.score()).isNotCloseTo(exact, org.assertj.core.data.Offset.offset(1e-5f));
            assertThat(c.score()).isCloseTo(exact, org.assertj.core.data.Offset.offset(0.04f));
        });
    }

    /** Colin Powell's second photo through a matcher screened by the 8-bit model with {@code margin}. */
    private static List<MatchCandidate> screenedRun(double margin, int[] exactFaces) throws Exception {
        try (var h = screened(margin, exactFaces)) {
            h.processElement(new GatedFrame(Records.SOURCE, Records.frame("cam-s", 0,
                    Files.readAllBytes(lfw.resolve("Colin_Powell/Colin_Powell_0002.jpg"))), "d1", "wl", THRESHOLD), 0);
            assertThat(h.getSideOutput(DeadLetters.TAG)).as("no dead letter").isNull();
            return h.extractOutputValues();
        }
    }

    /** A passer-by embedded by both models of a screened matcher leaves neither descriptor in a checkpoint. */
    @Test
    void aScreenedCheckpointHoldsNeitherDescriptorOfAPasserBy() throws Exception {
        float[] zicoInt8;
        try (FaceEngine engine = FaceEngine.withDefaults(ModelStore.ensureDefault(), "fr-feature-512-int8")) {
            zicoInt8 = descriptor(engine, "Zico/Zico_0001.jpg");
        }
        int[] exactFaces = new int[1];
        try (var h = screened(1.0, exactFaces)) {
            h.processElement(frame("cam-b", 0, "Zico/Zico_0001.jpg"), 0);
            assertThat(h.extractOutputValues()).isEmpty();
            assertThat(exactFaces[0]).as("embedded by both models").isEqualTo(1);
            byte[] checkpoint = bytesOf(h.snapshot(1, 1));
            assertThat(BiometricScan.holds(checkpoint, colin)).as("positive control").isTrue();
            assertThat(BiometricScan.holds(checkpoint, zico)).isFalse();
            assertThat(BiometricScan.holds(checkpoint, zicoInt8)).isFalse();
        }
    }

    /**
     * A matcher screened by the 8-bit model with {@code margin}, Colin Powell enrolled; it counts the faces embedded
     * again by the embedding model in {@code exactFaces[0]}.
     */
    private static KeyedBroadcastOperatorTestHarness<String, GatedFrame, ControlRecord<WatchlistUpdate>, MatchCandidate>
            screened(double margin, int[] exactFaces) throws Exception {
        Configuration conf = new Configuration();
        conf.set(LiveMatchOptions.SCREENING_MODEL, "fr-feature-512-int8");
        conf.set(LiveMatchOptions.SCREENING_MARGIN, margin);
        FaceMatcher screened = new FaceMatcher(LiveMatchJob.Config.from(conf).pipeline(), WatchlistIndexes.Choice.AUTO,
                dev.lfr.jobs.ingest.StartupRead.none()) {
            @Override
            protected FramePipeline openPipeline(FramePipeline.Config config) {
                return new FramePipeline(ModelStore.ensure(java.nio.file.Path.of(config.modelsDir())), config) {
                    @Override
                    public List<dev.lfr.udfs.embed.FaceDescriptor> embedExactly(Embedded embedded, List<Integer> which)
                            throws OrtException {
                        exactFaces[0] += which.size();
                        return super.embedExactly(embedded, which);
                    }
                };
            }
        };
        var h = ProcessFunctionTestHarnesses.forKeyedBroadcastProcessFunction(screened,
                (GatedFrame g) -> g.frame().getCamera(), Types.STRING, FaceMatcher.WATCHLIST);
        h.processBroadcastElement(control(enrol("colin", 1, colin)), 0);
        return h;
    }

    /** What a scheduled matcher did: its detector passes, the frames it counted, its candidates. */
    private record Scheduled(int detections, int frameEvents, long framesDetected, List<MatchCandidate> candidates) {}

    /** {@code frames} frames of Colin Powell's photo on {@code camera} at 5 fps, the detector on one of {@code every}. */
    private Scheduled colinStandingStill(int every, String camera, int frames) throws Exception {
        int[] detections = new int[1];
        org.apache.flink.configuration.Configuration conf = new org.apache.flink.configuration.Configuration();
        conf.set(dev.lfr.jobs.LiveMatchOptions.DETECTION_EVERY, every);
        FaceMatcher counting = countingDetections(dev.lfr.jobs.LiveMatchJob.Config.from(conf).pipeline(), detections);
        try (var h = ProcessFunctionTestHarnesses.forKeyedBroadcastProcessFunction(counting,
                (GatedFrame g) -> g.frame().getCamera(), Types.STRING, FaceMatcher.WATCHLIST)) {
            h.processBroadcastElement(control(enrol("colin", 1, colin)), 0);
            for (int i = 0; i < frames; i++) {
                h.processElement(frame(camera, i * 200L, "Colin_Powell/Colin_Powell_0002.jpg"), i * 200L);
            }
            var events = h.getSideOutput(MetricEvent.FRAMES);
            return new Scheduled(detections[0], events.size(),
                    events.stream().mapToLong(e -> e.getValue().framesDetected()).sum(), h.extractOutputValues());
        }
    }

    /** A matcher whose pipeline counts its detector passes in {@code detections[0]}. */
    private static FaceMatcher countingDetections(FramePipeline.Config pipeline, int[] detections) {
        return new FaceMatcher(pipeline, WatchlistIndexes.Choice.AUTO, dev.lfr.jobs.ingest.StartupRead.none()) {
            @Override
            protected FramePipeline openPipeline(FramePipeline.Config config) {
                return new FramePipeline(ModelStore.ensure(java.nio.file.Path.of(config.modelsDir())), config) {
                    @Override
                    public Faces detect(FrameImage frame) throws OrtException {
                        detections[0]++;
                        return super.detect(frame);
                    }
                };
            }
        };
    }

    private static byte[] bytesOf(OperatorSubtaskState state) throws Exception {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        List<StateObject> handles = new ArrayList<>();
        handles.addAll(state.getManagedKeyedState());
        handles.addAll(state.getManagedOperatorState());
        handles.addAll(state.getRawKeyedState());
        handles.addAll(state.getRawOperatorState());
        for (StateObject h : handles) {
            try (InputStream in = ((StreamStateHandle) h).openInputStream()) {
                in.transferTo(all);
            }
        }
        return all.toByteArray();
    }

}
