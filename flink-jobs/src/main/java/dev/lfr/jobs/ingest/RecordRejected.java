package dev.lfr.jobs.ingest;

import dev.lfr.schemas.DeadLetterReason;

/** Why an input record is not used: its dead letter's reason code and detail (never the record's content). */
public final class RecordRejected extends Exception {
    private final DeadLetterReason reason;

    public RecordRejected(DeadLetterReason reason, String detail) {
        super(detail, null, false, false); // thrown for hostile input at its rate: no stack trace to fill
        this.reason = reason;
    }

    public DeadLetterReason reason() {
        return reason;
    }

    public String detail() {
        return getMessage();
    }
}
