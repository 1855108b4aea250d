package dev.lfr.topics;

import java.util.List;

/**
 * The platform's Kafka topics and their keys, in one place for the job and every tool. Every value is Avro binary
 * ({@code AvroBytes} in the schemas module); the record of each topic is named in its constant's comment.
 */
public final class Topics {
    /** {@code FrameEvent}, keyed by camera id. */
    public static final String FRAMES = "lfr.frames";
    /** {@code WatchlistUpdate}, compacted, keyed by {@link #watchlistKey}; a tombstone deletes the subject. */
    public static final String WATCHLIST = "lfr.watchlist";
    /** {@code Deployment}, compacted, keyed by deployment id; a tombstone cancels the deployment. */
    public static final String DEPLOYMENTS = "lfr.deployments";
    /** {@code MatchAlert}, keyed by alert id. */
    public static final String ALERTS = "lfr.alerts";
    /** {@code DeadLetter}: refused input and failed frames, with a reason code. */
    public static final String DEAD_LETTERS = "lfr.dead-letters";
    /** {@code Adjudication}: officers' verdicts on alerts. */
    public static final String ADJUDICATIONS = "lfr.adjudications";
    /** {@code DeploymentMetrics}: published rates, per window. */
    public static final String METRICS = "lfr.metrics";
    /**
     * {@code AuditRecord}: the append-only audit trail, one partition (the hash chain is one sequence), never
     * compacted or expired by the broker.
     */
    public static final String AUDIT = "lfr.audit";

    /** Every topic of the platform, in the order the tools create them. */
    public static final List<String> ALL = List.of(FRAMES, WATCHLIST, DEPLOYMENTS, ALERTS, DEAD_LETTERS, ADJUDICATIONS, METRICS, AUDIT);

    private Topics() {}

    /** The watchlist topic's key of a subject: watchlist ids contain no '/', so it is unambiguous. */
    public static String watchlistKey(String watchlist, String subject) {
        return watchlist + "/" + subject;
    }
}
