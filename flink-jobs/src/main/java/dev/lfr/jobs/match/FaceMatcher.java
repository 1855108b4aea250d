package dev.lfr.jobs.match;

import ai.onnxruntime.OrtException;
import dev.lfr.jobs.deadletter.DeadLetters;
import dev.lfr.jobs.gate.GatedFrame;
import dev.lfr.jobs.ingest.ControlRecord;
import dev.lfr.jobs.ingest.ControlTopic;
import dev.lfr.jobs.metrics.MetricEvent;
import dev.lfr.schemas.DeadLetterReason;
import dev.lfr.schemas.WatchlistOp;
import dev.lfr.schemas.WatchlistUpdate;
import dev.lfr.udfs.align.AlignedFace;
import dev.lfr.udfs.align.FaceAligner;
import dev.lfr.udfs.detect.Detection;
import dev.lfr.udfs.detect.FaceDetector;
import dev.lfr.udfs.embed.FaceDescriptor;
import dev.lfr.udfs.embed.FaceEmbedder;
import dev.lfr.udfs.image.FrameImage;
import dev.lfr.udfs.image.ImageDecodeException;
import dev.lfr.udfs.image.ImageDecoder;
import dev.lfr.udfs.image.JpegCrops;
import dev.lfr.udfs.index.FaissIndex;
import dev.lfr.udfs.index.IndexException;
import dev.lfr.udfs.index.WatchlistIndex;
import dev.lfr.udfs.index.WatchlistIndexes;
import dev.lfr.udfs.model.ModelStore;
import dev.lfr.udfs.quality.FaceQuality;
import dev.lfr.udfs.quality.QualityGate;
import dev.lfr.udfs.quality.QualityReport;
import dev.lfr.udfs.track.IouTracker;
import dev.lfr.udfs.track.TrackState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The face pipeline of one camera (keyed by camera id) against the watchlists in broadcast state: decode the frame,
 * detect faces, assess quality, follow faces with the {@link IouTracker} (keyed state: boxes and counters only),
 * embed a track's face only when the tracker asks (its first usable sighting, then clearly better ones, a bounded
 * number of times), and search the deployment's watchlist.
 *
 * <p>Privacy: a descriptor lives only inside {@link #processElement}; only a face whose score reaches the
 * deployment's threshold leaves, as a {@link MatchCandidate} with a JPEG crop. Non-matching faces leave nothing: no
 * output, no state, no log line. A frame that fails anywhere (an image that does not decode, an ONNX Runtime, OpenCV
 * or FAISS error) becomes a dead letter with a reason code, and the next frame is processed as usual.
 *
 * <p>Each subtask builds its own index per watchlist from the broadcast entries (deterministically: subjects in
 * key order) and rebuilds it when an update arrives or when an entry's expiry passes. Updates arrive checked (model,
 * dimension, finite values: {@code InputRules}). Each processed frame reports its counts on the
 * {@link MetricEvent#FRAMES} side output. An update older than the entry's current version is ignored;
 * deletions, and tombstones of the topic, are kept as deletion markers so that neither a late, older upsert nor
 * the start-up snapshot can bring a deleted subject back. At a first start the watchlist current at submission is
 * the base under the broadcast state (see the three-argument constructor).
 */
public class FaceMatcher
        extends KeyedBroadcastProcessFunction<String, GatedFrame, ControlRecord<WatchlistUpdate>, MatchCandidate> {
    /** Watchlist entries, key {@code watchlist/subject}; the broadcast state. */
    public static final MapStateDescriptor<String, WatchlistUpdate> WATCHLIST =
            new MapStateDescriptor<>("watchlist", Types.STRING, new AvroTypeInfo<>(WatchlistUpdate.class));
    static final Duration TRACK_STATE_TTL = Duration.ofMinutes(10);

    private final String embedderId;
    private final FaceDetector.Config detectorConfig;
    private final List<WatchlistUpdate> atStartup;

    private transient ListState<TrackState> tracks;
    private transient ValueState<Long> nextTrackId;
    private transient ImageDecoder decoder;
    private transient FaceDetector detector;
    private transient FaceQuality quality;
    private transient QualityGate gate;
    private transient FaceAligner aligner;
    private transient FaceEmbedder embedder;
    private transient IouTracker tracker;
    private transient Map<String, Indexed> indexes;
    private transient long watchlistGeneration;
    private transient Counter frames;
    private transient Counter facesDetected;
    private transient Counter facesSearched;
    private transient Counter candidates;
    private transient Counter deadLetters;

    /**
     * A subtask's index of one watchlist, built at {@code generation}; row i is {@code subjects.get(i)}; good for
     * frames before {@code validUntilMs}, the earliest expiry among its entries.
     */
    private record Indexed(long generation, WatchlistIndex index, List<String> subjects, long version,
                           long validUntilMs) {}

    public FaceMatcher(String embedderId, FaceDetector.Config detectorConfig) {
        this(embedderId, detectorConfig, List.of());
    }

    /**
     * @param atStartup the watchlist entries current when the job was submitted: the base under the broadcast state
     *                  while the watchlist topic is still being read at a first start (the state overrides them key
     *                  by key; entries of another model or dimension are ignored here as they are dead-lettered
     *                  from the topic)
     */
    public FaceMatcher(String embedderId, FaceDetector.Config detectorConfig, List<WatchlistUpdate> atStartup) {
        this.embedderId = embedderId;
        this.detectorConfig = detectorConfig;
        this.atStartup = List.copyOf(atStartup);
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

        if (FaissIndex.nativeAvailable()) {
            FaissIndex.setThreads(1); // parallelism comes from subtasks; FAISS's own threads would fight them
        }
        ModelStore models = ModelStore.ensureDefault();
        decoder = new ImageDecoder();
        detector = new FaceDetector(models, detectorConfig);
        quality = new FaceQuality();
        gate = QualityGate.defaults();
        aligner = new FaceAligner(models, embedderId);
        embedder = new FaceEmbedder(models, embedderId, 8);
        tracker = IouTracker.defaults();
        indexes = new HashMap<>();
        var metrics = getRuntimeContext().getMetricGroup();
        frames = metrics.counter("frames");
        facesDetected = metrics.counter("facesDetected");
        facesSearched = metrics.counter("facesSearched");
        candidates = metrics.counter("matchCandidates");
        deadLetters = metrics.counter(DeadLetters.COUNTER);
    }

    @Override
    public void processElement(GatedFrame in, ReadOnlyContext ctx, Collector<MatchCandidate> out) throws Exception {
        String camera = in.frame().getCamera();
        long timeMs = in.frame().getCaptureTime().toEpochMilli();
        byte[] bytes = new byte[in.frame().getImage().remaining()];
        in.frame().getImage().duplicate().get(bytes);
        try (FrameImage frame = decoder.decode(bytes)) {
            List<Detection> faces = detector.detect(frame);
            facesDetected.inc(faces.size());
            List<QualityReport> reports = new ArrayList<>(faces.size());
            List<Boolean> usable = new ArrayList<>(faces.size());
            for (Detection d : faces) {
                QualityReport q = quality.assess(frame, d);
                reports.add(q);
                usable.add(gate.passes(q));
            }
            List<TrackState> known = new ArrayList<>();
            tracks.get().forEach(known::add);
            Long next = nextTrackId.value();
            IouTracker.Step step = tracker.step(known, next == null ? 1 : next, timeMs, faces, reports, usable);
            tracks.update(step.tracks());
            nextTrackId.update(step.nextId());
            int searched = searchTrackedFaces(in, frame, faces, step, ctx.getBroadcastState(WATCHLIST), timeMs, out);
            frames.inc();
            ctx.output(MetricEvent.FRAMES, MetricEvent.frame(in.deployment(), camera, timeMs, faces.size(), searched));
        } catch (ImageDecodeException e) {
            deadLetter(ctx, in, reasonOf(e.reason()), e.getMessage());
        } catch (OrtException e) {
            deadLetter(ctx, in, DeadLetterReason.MODEL_FAILURE, "ONNX Runtime: " + e.getMessage());
        } catch (IndexException e) {
            deadLetter(ctx, in, DeadLetterReason.INDEX_FAILURE, "watchlist index: " + e.getMessage());
        } catch (RuntimeException e) {
            // OpenCV, a bug of ours: this frame is lost, the job is not (Errors such as OOM still fail the task)
            deadLetter(ctx, in, DeadLetterReason.INTERNAL_ERROR, e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    private void deadLetter(ReadOnlyContext ctx, GatedFrame in, DeadLetterReason reason, String detail) {
        deadLetters.inc();
        ctx.output(DeadLetters.TAG, DeadLetters.of(in.source(), in.frame().getCamera(), reason, detail));
    }

    /** Embeds and searches the faces the tracker asks for; returns how many were searched. */
    private int searchTrackedFaces(GatedFrame in, FrameImage frame, List<Detection> faces, IouTracker.Step step,
                                    ReadOnlyBroadcastState<String, WatchlistUpdate> watchlist, long timeMs,
                                    Collector<MatchCandidate> out) throws Exception {
        List<IouTracker.Assignment> toEmbed = step.assignments().stream().filter(IouTracker.Assignment::embed).toList();
        if (toEmbed.isEmpty()) {
            return 0;
        }
        Indexed indexed = indexFor(in.watchlist(), watchlist, timeMs);
        if (indexed.subjects().isEmpty()) {
            return 0;
        }
        List<AlignedFace> chips = new ArrayList<>(toEmbed.size());
        for (IouTracker.Assignment a : toEmbed) {
            chips.add(aligner.align(frame, faces.get(a.detection())));
        }
        List<FaceDescriptor> descriptors = embedder.embedAll(chips);
        chips.forEach(c -> c.chip().close());
        float[][] queries = new float[descriptors.size()][];
        for (int i = 0; i < queries.length; i++) {
            queries[i] = descriptors.get(i).vector();
        }
        facesSearched.inc(queries.length);
        WatchlistIndex.Neighbours[] best = indexed.index().search(queries, 1);
        for (int i = 0; i < best.length; i++) {
            if (best[i].size() == 0 || !(best[i].score(0) >= in.threshold())) { // never a match against NaN
                continue; // not a match: its descriptor goes out of scope here
            }
            IouTracker.Assignment a = toEmbed.get(i);
            Detection face = faces.get(a.detection());
            candidates.inc();
            out.collect(new MatchCandidate(in.deployment(), in.frame().getCamera(), in.watchlist(),
                    indexed.subjects().get((int) best[i].id(0)), best[i].score(0), timeMs, a.trackId(),
                    JpegCrops.crop(frame, face.box(), 1.6, 90), indexed.version(), embedderId));
        }
        return queries.length;
    }

    /** This subtask's index of {@code watchlist}, rebuilt from broadcast state when an update arrived since. */
    private Indexed indexFor(String watchlist, ReadOnlyBroadcastState<String, WatchlistUpdate> state, long timeMs)
            throws Exception {
        Indexed cached = indexes.get(watchlist);
        if (cached != null && cached.generation() == watchlistGeneration && timeMs < cached.validUntilMs()) {
            return cached;
        }
        java.util.TreeMap<String, WatchlistUpdate> all = new java.util.TreeMap<>();
        for (WatchlistUpdate u : atStartup) {
            all.merge(WatchlistEntries.key(u.getWatchlist(), u.getSubject()), u,
                    (a, b) -> a.getVersion() >= b.getVersion() ? a : b);
        }
        for (Map.Entry<String, WatchlistUpdate> e : state.immutableEntries()) {
            // the state wins unless the topic has not yet been read up to the snapshot's version of this entry
            all.merge(e.getKey(), e.getValue(), (base, read) -> read.getVersion() >= base.getVersion() ? read : base);
        }
        java.util.TreeMap<String, WatchlistUpdate> entries = new java.util.TreeMap<>();
        for (Map.Entry<String, WatchlistUpdate> e : all.entrySet()) {
            WatchlistUpdate u = e.getValue();
            boolean live = u.getOp() == WatchlistOp.UPSERT
                    && (u.getExpiry() == null || u.getExpiry().toEpochMilli() > timeMs);
            if (e.getKey().startsWith(WatchlistEntries.prefix(watchlist)) && live) {
                entries.put(e.getKey(), u);
            }
        }
        WatchlistIndex index = WatchlistIndexes.forRows(embedder.dimension(), entries.size());
        List<String> subjects = new ArrayList<>(entries.size());
        long[] ids = new long[entries.size()];
        float[][] vectors = new float[entries.size()][];
        long version = 0;
        long validUntil = Long.MAX_VALUE;
        int i = 0;
        for (WatchlistUpdate u : entries.values()) {
            subjects.add(u.getSubject());
            ids[i] = i;
            vectors[i++] = WatchlistEntries.vector(u);
            version = Math.max(version, u.getVersion());
            if (u.getExpiry() != null) {
                validUntil = Math.min(validUntil, u.getExpiry().toEpochMilli());
            }
        }
        index.upsertAll(ids, vectors);
        if (cached != null) {
            cached.index().close();
        }
        Indexed fresh = new Indexed(watchlistGeneration, index, List.copyOf(subjects), version, validUntil);
        indexes.put(watchlist, fresh);
        return fresh;
    }

    @Override
    public void processBroadcastElement(ControlRecord<WatchlistUpdate> r, Context ctx, Collector<MatchCandidate> out)
            throws Exception {
        BroadcastState<String, WatchlistUpdate> state = ctx.getBroadcastState(WATCHLIST);
        WatchlistUpdate current = state.contains(r.key()) ? state.get(r.key()) : atStartup(r.key());
        WatchlistUpdate u = r.value();
        if (r.isTombstone()) {
            if (current != null) { // the topic deleted the key: a deletion at the version it deleted
                state.put(r.key(), WatchlistUpdate.newBuilder(current).setOp(WatchlistOp.DELETE).setVector(null).build());
                watchlistGeneration++;
            }
            return;
        }
        if (current != null && !ControlTopic.WATCHLIST.replaces(u, current)) {
            return;
        }
        // a deletion stays as a marker (no vector), so that an older upsert arriving late cannot revive the subject
        state.put(r.key(), u.getOp() == WatchlistOp.DELETE ? WatchlistUpdate.newBuilder(u).setVector(null).build() : u);
        watchlistGeneration++;
    }

    private WatchlistUpdate atStartup(String key) {
        return atStartup.stream().filter(u -> WatchlistEntries.key(u.getWatchlist(), u.getSubject()).equals(key))
                .findFirst().orElse(null);
    }

    static DeadLetterReason reasonOf(ImageDecodeException.Reason r) {
        return switch (r) {
            case EMPTY -> DeadLetterReason.EMPTY_IMAGE;
            case UNSUPPORTED_FORMAT -> DeadLetterReason.UNSUPPORTED_IMAGE;
            case TRUNCATED -> DeadLetterReason.TRUNCATED_IMAGE;
            case CORRUPT -> DeadLetterReason.CORRUPT_IMAGE;
            case TOO_LARGE -> DeadLetterReason.IMAGE_TOO_LARGE;
        };
    }

    @Override
    public void close() throws OrtException {
        if (indexes != null) {
            indexes.values().forEach(x -> x.index().close());
        }
        if (quality != null) {
            quality.close();
        }
        if (embedder != null) {
            embedder.close();
        }
        if (aligner != null) {
            aligner.close();
        }
        if (detector != null) {
            detector.close();
        }
    }
}
