package dev.lfr.jobs;

import dev.lfr.jobs.deadletter.Provenance;
import dev.lfr.jobs.ingest.ControlRecord;
import dev.lfr.jobs.ingest.ControlTopic;
import dev.lfr.jobs.ingest.RawRecord;
import dev.lfr.jobs.ingest.SourcedFrame;
import dev.lfr.schemas.AvroBytes;
import dev.lfr.schemas.Deployment;
import dev.lfr.schemas.DeploymentStatus;
import dev.lfr.schemas.FrameEvent;
import dev.lfr.schemas.ImageEncoding;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;

/** Builders for test records. */
public final class Records {
    public static final Provenance SOURCE = new Provenance("lfr.frames", 0, 17);

    /**
     * The instant test times count from: a whole hour, an hour or two before now, so that frames pass the job's
     * clock-skew guard (neither ahead of its clock nor absurdly old) and metric windows start on it.
     */
    public static final Instant T0 = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(Duration.ofHours(1));

    /** {@link #T0} plus {@code ms}. */
    public static Instant at(long ms) {
        return T0.plusMillis(ms);
    }

    private Records() {}

    public static FrameEvent frame(String camera, long timeMs, byte[] jpeg) {
        return FrameEvent.newBuilder().setCamera(camera).setSequence(timeMs).setCaptureTime(at(timeMs))
                .setWidth(640).setHeight(480).setEncoding(ImageEncoding.JPEG).setImage(ByteBuffer.wrap(jpeg)).build();
    }

    public static SourcedFrame sourced(String camera, long timeMs) {
        return new SourcedFrame(SOURCE, frame(camera, timeMs, new byte[] {(byte) 0xFF, (byte) 0xD8, 1}));
    }

    public static Deployment deployment(String id, List<String> cameras, long startMs, long endMs,
                                        DeploymentStatus status) {
        return Deployment.newBuilder().setId(id).setCameras(cameras).setStart(at(startMs))
                .setEnd(at(endMs)).setWatchlist("wl-" + id).setThreshold(0.5f).setStatus(status).setAuthorisedBy("supt-1").setSignageConfirmed(true).build();
    }

    public static <T extends SpecificRecord> byte[] avro(T record) {
        return AvroBytes.encode(record);
    }

    /** A checked record of a control topic, under the key its topic gives it (as the decoding operator emits it). */
    public static <T extends SpecificRecord> ControlRecord<T> control(ControlTopic<T> topic, T value) {
        return new ControlRecord<>(new Provenance("control", 0, 1), topic.keyOf(value), value);
    }

    public static RawRecord raw(byte[] value) {
        return new RawRecord(SOURCE, null, value, 0);
    }
}
