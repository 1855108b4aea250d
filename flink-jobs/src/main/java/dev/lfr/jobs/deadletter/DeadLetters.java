package dev.lfr.jobs.deadletter;

import dev.lfr.schemas.DeadLetter;
import dev.lfr.schemas.DeadLetterReason;
import dev.lfr.udfs.image.ImageDecodeException;
import java.time.Instant;
import org.apache.flink.util.OutputTag;

/**
 * The side output every operator sends unusable input to. A dead letter names the source record and a reason code;
 * it never carries image bytes or descriptors (the schema has no field for them).
 */
public final class DeadLetters {
    /** The one side output for dead letters; the job unions them into the dead-letter topic. */
    public static final OutputTag<DeadLetter> TAG = new OutputTag<>("dead-letters") {};

    /** Metric name of each operator's dead-letter counter. */
    public static final String COUNTER = "deadLetters";

    private static final int MAX_DETAIL = 500;
    private static final int MAX_CAMERA = 128; // a camera id that failed its checks may be of any length

    private DeadLetters() {}

    /** The reason code of an image that does not decode. */
    public static DeadLetterReason reasonOf(ImageDecodeException.Reason r) {
        return switch (r) {
            case EMPTY -> DeadLetterReason.EMPTY_IMAGE;
            case UNSUPPORTED_FORMAT -> DeadLetterReason.UNSUPPORTED_IMAGE;
            case TRUNCATED -> DeadLetterReason.TRUNCATED_IMAGE;
            case CORRUPT -> DeadLetterReason.CORRUPT_IMAGE;
            case TOO_LARGE -> DeadLetterReason.IMAGE_TOO_LARGE;
        };
    }

    public static DeadLetter of(Provenance source, String camera, DeadLetterReason reason, String detail) {
        String d = detail == null ? "" : detail;
        return DeadLetter.newBuilder()
                .setSourceTopic(source.topic())
                .setSourcePartition(source.partition())
                .setSourceOffset(source.offset())
                .setCamera(camera == null || camera.length() <= MAX_CAMERA ? camera : camera.substring(0, MAX_CAMERA))
                .setReason(reason)
                .setDetail(d.length() > MAX_DETAIL ? d.substring(0, MAX_DETAIL) : d)
                .setTime(Instant.now()) // processing time: the record's own clock may be what was wrong
                .build();
    }
}
