package dev.lfr.jobs;

import dev.lfr.jobs.ingest.Provenance;
import dev.lfr.jobs.ingest.RawRecord;
import dev.lfr.jobs.ingest.SourcedFrame;
import dev.lfr.schemas.AvroBytes;
import dev.lfr.schemas.Deployment;
import dev.lfr.schemas.DeploymentStatus;
import dev.lfr.schemas.FrameEvent;
import dev.lfr.schemas.ImageEncoding;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;

/** Builders for test records. */
public final class Records {
    public static final Provenance SOURCE = new Provenance("lfr.frames", 0, 17);

    private Records() {}

    public static FrameEvent frame(String camera, long timeMs, byte[] jpeg) {
        return FrameEvent.newBuilder().setCamera(camera).setSequence(timeMs).setCaptureTime(Instant.ofEpochMilli(timeMs))
                .setWidth(640).setHeight(480).setEncoding(ImageEncoding.JPEG).setImage(ByteBuffer.wrap(jpeg)).build();
    }

    public static SourcedFrame sourced(String camera, long timeMs) {
        return new SourcedFrame(SOURCE, frame(camera, timeMs, new byte[] {(byte) 0xFF, (byte) 0xD8, 1}));
    }

    public static Deployment deployment(String id, List<String> cameras, long startMs, long endMs,
                                        DeploymentStatus status) {
        return Deployment.newBuilder().setId(id).setCameras(cameras).setStart(Instant.ofEpochMilli(startMs))
                .setEnd(Instant.ofEpochMilli(endMs)).setWatchlist("wl-" + id).setThreshold(0.5f).setStatus(status).build();
    }

    public static <T extends SpecificRecord> byte[] avro(T record) {
        return AvroBytes.encode(record);
    }

    public static RawRecord raw(byte[] value) {
        return new RawRecord(SOURCE, null, value, 0);
    }
}
