package dev.lfr.loadtest.bench;

import dev.lfr.loadtest.replay.Replay;
import dev.lfr.loadtest.replay.ReplayFrame;
import dev.lfr.loadtest.replay.ReplayPeople;
import dev.lfr.loadtest.replay.WalkPastScenes;
import dev.lfr.udfs.engine.FaceEngine;
import dev.lfr.udfs.image.FrameImage;
import dev.lfr.udfs.model.ModelStore;
import dev.lfr.udfs.pipeline.FramePipeline;
import dev.lfr.udfs.quality.QualityGate;
import dev.lfr.udfs.track.IouTracker;
import dev.lfr.udfs.track.TrackState;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.openjdk.jol.info.GraphLayout;

/**
 * The keyed state one camera holds in the face matcher (its track list and next track id), measured while a real
 * detector and the tracker follow walk-past scenes, as the matcher does: the deep heap size of the objects
 * (JOL) and their size as Flink serializes them into a checkpoint. The state backend's own map entry per key and
 * state adds a fixed overhead on top, reported separately as an estimate.
 */
public final class KeyedStateFootprint {
    static {
        // records' fields are final: JOL finds their offsets this way on JDK 17
        System.setProperty("jol.magicFieldOffset", "true");
    }

    private KeyedStateFootprint() {}

    /** What one camera's track state weighs: on the heap and serialised into a checkpoint, in bytes. */
    public record Footprint(int frames, int facesInView, int maxTracks, long heapBytesMax, long heapBytesMean,
                     long checkpointBytesMax, int backendOverheadBytesEstimate) {}

    /** Follows walk-past scenes of the sample faces, {@code faces} in view, for {@code frames} frames at {@code fps}. */
    public static Footprint measure(Replay.Engine engine, int frames, double fps, int faces) throws Exception {
        if (faces < 1 || frames < 1 || !(fps > 0)) {
            throw new IllegalArgumentException("faces, frames and fps must be positive");
        }
        List<ReplayPeople.Person> people;
        try (FaceEngine e = new FaceEngine(engine.models(), engine.embeddingModel(), engine.detector(),
                QualityGate.defaults())) {
            people = ReplayPeople.load(engine.models(), e, null, 50, 1, 2);
        }
        try (WalkPastScenes scenes = new WalkPastScenes(people.stream().map(ReplayPeople.Person::walker).toList(),
                List.of(), 1280, 720, faces, (int) Math.max(4, Math.round(2 * fps)), 40, 200, 7)) {
            return measure(engine.models(), scenes, frames, fps, faces);
        }
    }

    private static Footprint measure(ModelStore models, WalkPastScenes scenes, int frames, double fps, int faces)
            throws Exception {
        TypeSerializer<TrackState> serializer = TypeInformation.of(TrackState.class).createSerializer(new SerializerConfigImpl());
        List<TrackState> tracks = new ArrayList<>();
        long next = 1;
        long maxHeap = 0;
        long sumHeap = 0;
        long maxSerialized = 0;
        int maxTracks = 0;
        // the matcher's own sequence (decode, detect, assess, track); nothing is embedded, the state is the same
        try (FramePipeline pipeline = new FramePipeline(models,
                FramePipeline.Config.defaults(models.dir(), models.defaultEmbedder()))) {
            for (int i = 0; i < frames; i++) {
                long t = Math.round(i * 1000 / fps);
                ReplayFrame f = scenes.next("cam-1", i, t);
                try (FrameImage img = pipeline.decode(f.jpeg())) {
                    IouTracker.Step step = pipeline.track(tracks, next, t, pipeline.detect(img));
                    tracks = new ArrayList<>(step.tracks());
                    next = step.nextId();
                }
                long heap = GraphLayout.parseInstance(tracks, Long.valueOf(next)).totalSize();
                DataOutputSerializer out = new DataOutputSerializer(256);
                for (TrackState s : tracks) {
                    serializer.serialize(s, out);
                }
                maxHeap = Math.max(maxHeap, heap);
                sumHeap += heap;
                maxSerialized = Math.max(maxSerialized, out.length() + 8L);
                maxTracks = Math.max(maxTracks, tracks.size());
            }
        }
        // HashMapStateBackend: one StateMapEntry (about 48 bytes with references) per key and state, two states
        return new Footprint(frames, faces, maxTracks, maxHeap, sumHeap / Math.max(1, frames), maxSerialized, 2 * 48);
    }
}
