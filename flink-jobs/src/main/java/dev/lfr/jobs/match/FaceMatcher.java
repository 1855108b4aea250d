package dev.lfr.jobs.match;

import ai.onnxruntime.OrtException;
import dev.lfr.jobs.deadletter.DeadLetters;
import dev.lfr.jobs.gate.GatedFrame;
import dev.lfr.jobs.ingest.ControlRecord;
import dev.lfr.jobs.ingest.ReadsAtStartup;
import dev.lfr.jobs.ingest.StartupRead;
import dev.lfr.jobs.metrics.MetricEvent;
import dev.lfr.schemas.DeadLetterReason;
import dev.lfr.schemas.WatchlistUpdate;
import dev.lfr.udfs.detect.Box;
import dev.lfr.udfs.detect.Detection;
import dev.lfr.udfs.image.FrameImage;
import dev.lfr.udfs.image.ImageDecodeException;
import dev.lfr.udfs.image.JpegCrops;
import dev.lfr.udfs.index.FaissIndex;
import dev.lfr.udfs.index.IndexException;
import dev.lfr.udfs.index.WatchlistIndexes;
import dev.lfr.udfs.pipeline.FaceSearch;
import dev.lfr.udfs.pipeline.FramePipeline;
import dev.lfr.udfs.track.IouTracker;
import dev.lfr.udfs.track.TrackState;
import dev.lfr.udfs.watchlist.LiveWatchlist;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;

/**
 * One camera's frames (keyed by camera id) through the {@link FramePipeline}, searched against the deployment's
 * watchlist in a {@link LiveWatchlist}: keyed state holds the camera's tracks (boxes and counters only), broadcast
 * state the watchlist entries ({@link MatcherWatchlist}), from which the live watchlist is loaded once per start
 * and then kept current update by update.
 *
 * <p>The faces the tracker chooses are embedded and searched by {@link FaceSearch} (with screening and walk-past
 * fusion when configured).
 *
 * <p>Privacy: a descriptor (screened or exact) lives only inside {@link FaceSearch#search}, or with walk-past fusion
 * on, as part of its track's mean in the pipeline's memory until the track ends (never state); only a face whose
 * score reaches the deployment's threshold leaves, as a {@link MatchCandidate} with a JPEG crop. Non-matching faces
 * leave nothing: no output, no state, no log line. A frame that fails anywhere (an image that does not decode, an
 * ONNX Runtime, OpenCV or FAISS error) becomes a dead letter with a reason code, and the next frame is processed as
 * usual. Each frame processed reports its counts on the {@link MetricEvent#FRAMES} side output.
 */
public class FaceMatcher
        extends KeyedBroadcastProcessFunction<String, GatedFrame, ControlRecord<WatchlistUpdate>, MatchCandidate>
        implements ReadsAtStartup {
    /**
     * Watchlist entries, key {@code watchlist/subject}; the broadcast state. Entries are kept as
     * {@link LiveWatchlist.Update}s, with the vector as a {@code float[]}: the topic's Avro record holds it as a boxed
     * {@code List<Float>}, five times the size on the heap and in every subtask's checkpoint.
     */
    public static final MapStateDescriptor<String, LiveWatchlist.Update> WATCHLIST =
            new MapStateDescriptor<>("watchlist-entries", Types.STRING, TypeInformation.of(LiveWatchlist.Update.class));
    static final Duration TRACK_STATE_TTL = Duration.ofMinutes(10);

    private final FramePipeline.Config config;
    private final WatchlistIndexes.Choice indexChoice;
    private final StartupRead<LiveWatchlist.Update> startupRead;

    private transient List<LiveWatchlist.Update> atStartup;
    private transient ListState<TrackState> tracks;
    private transient ValueState<Long> nextTrackId;
    private transient FramePipeline pipeline;
    private transient FaceSearch faceSearch;
    private transient IdleFusionTimer idleFusion;
    private transient MatcherWatchlist watchlist;
    private transient MatcherMetrics metrics;

    /**
     * @param indexChoice the layout of each watchlist's index
     * @param startupRead how to read the watchlist topic when starting without state
     */
    public FaceMatcher(FramePipeline.Config config, WatchlistIndexes.Choice indexChoice,
                       StartupRead<LiveWatchlist.Update> startupRead) {
        this.config = config;
        this.indexChoice = indexChoice;
        this.startupRead = startupRead;
    }

    @Override
    public void open(OpenContext openContext) {
        StateTtlConfig ttl = StateTtlConfig.newBuilder(TRACK_STATE_TTL).build();
        ListStateDescriptor<TrackState> tracksDesc = new ListStateDescriptor<>("tracks", TypeInformation.of(TrackState.class));
        tracksDesc.enableTimeToLive(ttl);
        ValueStateDescriptor<Long> nextIdDesc = new ValueStateDescriptor<>("nextTrackId", Types.LONG);
        nextIdDesc.enableTimeToLive(ttl);
        tracks = getRuntimeContext().getListState(tracksDesc);
        nextTrackId = getRuntimeContext().getState(nextIdDesc);
        idleFusion = new IdleFusionTimer(getRuntimeContext(), ttl);
        if (FaissIndex.nativeAvailable()) {
            FaissIndex.setThreads(1); // parallelism comes from subtasks; FAISS's own threads would fight them
        }
        pipeline = openPipeline(config);
        faceSearch = new FaceSearch(pipeline);
        watchlist = new MatcherWatchlist(pipeline.embedder().dimension(), indexChoice, atStartup);
        atStartup = null; // the live watchlist has taken what it needs
        metrics = new MatcherMetrics(getRuntimeContext().getMetricGroup(), watchlist.unloaded(), pipeline);
    }

    /** Reads the watchlist topic when starting without state (a first start); a restore reads nothing. */
    @Override
    public void initializeState(FunctionInitializationContext context) {
        atStartup = startupRead.atStart(context);
    }

    /** Builds the face pipeline; a test may build one that fails on purpose. */
    protected FramePipeline openPipeline(FramePipeline.Config config) {
        return FramePipeline.open(config);
    }

    @Override
    public void processElement(GatedFrame in, ReadOnlyContext ctx, Collector<MatchCandidate> out) throws Exception {
        LiveWatchlist live = watchlist.live(ctx.getBroadcastState(WATCHLIST));
        long timeMs = in.frame().getCaptureTime().toEpochMilli();
        if (!pipeline.detectionDue(in.frame().getCamera())) { // between detector passes: the tracks carry the faces
            metrics.betweenDetections();
            ctx.output(MetricEvent.FRAMES, MetricEvent.unsearchedFrame(in.deployment(), in.frame().getCamera(), timeMs));
            return;
        }
        byte[] bytes = new byte[in.frame().getImage().remaining()];
        in.frame().getImage().duplicate().get(bytes);
        List<TrackState> known = new ArrayList<>();
        tracks.get().forEach(known::add);
        try {
            if (pipeline.still(in.frame().getCamera(), bytes, !known.isEmpty())) {
                metrics.still();
                ctx.output(MetricEvent.FRAMES, MetricEvent.unsearchedFrame(in.deployment(), in.frame().getCamera(), timeMs));
                return;
            }
        } catch (ImageDecodeException e) {
            deadLetter(ctx, in, DeadLetters.reasonOf(e.reason()), e.getMessage());
            return;
        }
        try (FrameImage frame = pipeline.decode(bytes)) {
            FramePipeline.Faces faces = pipeline.detect(in.frame().getCamera(), frame, known);
            Long next = nextTrackId.value();
            IouTracker.Step step = pipeline.track(known, next == null ? 1 : next, timeMs, faces);
            FaceSearch.Result searched = search(in, frame, faces, step, live, timeMs, out);
            // committed only now: a frame that failed must not use up its tracks' embeddings
            tracks.update(step.tracks());
            nextTrackId.update(step.nextId());
            pipeline.followed(in.frame().getCamera(), step.tracks());
            idleFusion.afterFrame(ctx.timerService(), config.fusion() && !step.tracks().isEmpty());
            metrics.frame(faces.passes(), faces.size(), searched.searched(), searched.rescored());
            ctx.output(MetricEvent.FRAMES, MetricEvent.frame(in.deployment(), in.frame().getCamera(), timeMs,
                    faces.size(), searched.searched(), searched.rescored(), faces.passes()));
        } catch (ImageDecodeException e) {
            deadLetter(ctx, in, DeadLetters.reasonOf(e.reason()), e.getMessage());
        } catch (OrtException e) {
            deadLetter(ctx, in, DeadLetterReason.MODEL_FAILURE, "ONNX Runtime: " + e.getMessage());
        } catch (IndexException e) {
            deadLetter(ctx, in, DeadLetterReason.INDEX_FAILURE, "watchlist index: " + e.getMessage());
        } catch (RuntimeException e) {
            // OpenCV, a bug of ours: this frame is lost, the job is not (Errors such as OOM still fail the task)
            deadLetter(ctx, in, DeadLetterReason.INTERNAL_ERROR, e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    /** Embeds and searches the faces the tracker asks for; a face whose hit reaches the threshold is a candidate. */
    private FaceSearch.Result search(GatedFrame in, FrameImage frame, FramePipeline.Faces faces, IouTracker.Step step,
                                     LiveWatchlist live, long timeMs, Collector<MatchCandidate> out) throws OrtException {
        List<IouTracker.Assignment> toEmbed = step.assignments().stream().filter(IouTracker.Assignment::embed).toList();
        List<Detection> chosen = toEmbed.stream().map(a -> faces.detections().get(a.detection())).toList();
        FaceSearch.Result searched = faceSearch.search(frame, in.frame().getCamera(), chosen,
                toEmbed.stream().mapToLong(IouTracker.Assignment::trackId).toArray(), live, in.watchlist(), in.threshold(), timeMs);
        LiveWatchlist.Hit[] hits = searched.hits();
        for (int i = 0; i < hits.length; i++) {
            if (hits[i] == null || !(hits[i].score() >= in.threshold())) { // never a match against NaN
                continue; // not a match: nothing of the face leaves
            }
            metrics.candidate();
            out.collect(new MatchCandidate(in.deployment(), in.frame().getCamera(), in.watchlist(), hits[i].subject(),
                    hits[i].score(), timeMs, toEmbed.get(i).trackId(), crop(frame, chosen.get(i).box()),
                    hits[i].watchlistVersion(), config.embeddingModel()));
        }
        return searched;
    }

    /** What an officer compares with the watchlist photo: the face and its surroundings, as JPEG. */
    private static byte[] crop(FrameImage frame, Box face) {
        return JpegCrops.crop(frame, face.centre().x(), face.centre().y(), face.side() * 1.6, 90);
    }

    private void deadLetter(ReadOnlyContext ctx, GatedFrame in, DeadLetterReason reason, String detail) {
        pipeline.forgetScene(in.frame().getCamera()); // a frame that failed was not searched: search the next one
        metrics.deadLetter();
        ctx.output(DeadLetters.TAG, DeadLetters.of(in.source(), in.frame().getCamera(), reason, detail));
    }

    /** A camera's fused descriptors are idle: dropped, even if no camera sends another frame. */
    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<MatchCandidate> out) {
        idleFusion.fired();
        pipeline.dropIdleFused();
    }

    @Override
    public void processBroadcastElement(ControlRecord<WatchlistUpdate> r, Context ctx, Collector<MatchCandidate> out)
            throws Exception {
        watchlist.apply(r, ctx.getBroadcastState(WATCHLIST));
    }

    @Override
    public void close() throws OrtException {
        if (watchlist != null) {
            watchlist.close();
        }
        if (pipeline != null) {
            pipeline.close();
        }
    }
}
