package dev.lfr.jobs.ingest;

import dev.lfr.schemas.Adjudication;
import dev.lfr.schemas.DeadLetterReason;
import dev.lfr.schemas.Deployment;
import dev.lfr.schemas.DeploymentStatus;
import dev.lfr.schemas.FrameEvent;
import dev.lfr.schemas.ImageEncoding;
import dev.lfr.schemas.Verdict;
import dev.lfr.schemas.WatchlistOp;
import dev.lfr.schemas.WatchlistUpdate;
import java.io.Serializable;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * What every field of every input record must satisfy before the job uses it. A record that fails is rejected with
 * a {@link DeadLetterReason} and never applied: it can neither admit frames, nor lower a threshold, nor move event
 * time. Plain Java, checked where records are decoded and by the start-up read alike.
 *
 * @param embeddingModel      the model every watchlist vector must come from
 * @param dimension           that model's descriptor length
 * @param maxClockAhead       how far ahead of the job's clock a capture or decision time, or a watchlist version in epoch
 *                            milliseconds, may be (clock drift)
 * @param maxAge              how far behind it may be; older records are a camera with a reset clock or a stale replay
 * @param maxDeploymentLength the longest deployment window accepted
 * @param minThreshold        the lowest alert threshold a deployment may set (a lower one would make passers-by match)
 */
public record InputRules(String embeddingModel, int dimension, Duration maxClockAhead, Duration maxAge,
                         Duration maxDeploymentLength, float minThreshold) implements Serializable {
    /** Ids (cameras, deployments, watchlists, subjects, officers, alerts) are at most this long. */
    public static final int MAX_ID = 128;
    /** The largest frame side a camera may declare. */
    public static final int MAX_SIDE = 16_384;
    /** Free text (a purpose, a reason, a source, a place name) is at most this long. */
    public static final int MAX_TEXT = 1024;
    /** Cameras in one deployment. */
    public static final int MAX_CAMERAS = 10_000;

    public InputRules {
        if (embeddingModel == null || embeddingModel.isBlank() || dimension <= 0) {
            throw new IllegalArgumentException("an embedding model and its dimension are required");
        }
        positive(maxClockAhead, "the allowed clock skew");
        positive(maxAge, "the maximum record age");
        positive(maxDeploymentLength, "the maximum deployment length");
        if (!(minThreshold > 0 && minThreshold <= 1)) { // also false for NaN
            throw new IllegalArgumentException("the minimum deployment threshold must be in (0, 1], not " + minThreshold);
        }
    }

    /** The longest duration a setting may hold: far beyond any use, and far from overflowing a millisecond clock. */
    public static final Duration LONGEST_SETTING = Duration.ofDays(36_500);

    /**
     * Refuses a duration setting that is missing, zero, negative, or so long that arithmetic on it overflows (a
     * careless {@code 99999999999999d} would make every record's time check throw).
     */
    public static void positive(Duration d, String what) {
        if (d == null || d.isNegative() || d.isZero() || d.compareTo(LONGEST_SETTING) > 0) {
            throw new IllegalArgumentException(what + " must be positive and at most 100 years, not " + d);
        }
    }

    /** A frame the job can decode and place in event time. */
    public void checkFrame(FrameEvent f, long nowMs) throws RecordRejected {
        checkId(f.getCamera(), "camera id");
        if (f.getDeployment() != null && f.getDeployment().length() > MAX_ID) {
            throw invalid("the sender's deployment id is over " + MAX_ID + " characters");
        }
        if (f.getSequence() < 0) {
            throw invalid("negative sequence number");
        }
        if (f.getImage() == null || !f.getImage().hasRemaining()) {
            throw invalid("no image bytes");
        }
        if (f.getWidth() <= 0 || f.getHeight() <= 0 || f.getWidth() > MAX_SIDE || f.getHeight() > MAX_SIDE) {
            throw invalid("declared size " + f.getWidth() + "x" + f.getHeight());
        }
        if (f.getEncoding() != ImageEncoding.JPEG && f.getEncoding() != ImageEncoding.PNG) {
            throw invalid("image encoding unknown to this job");
        }
        checkClock(f.getCaptureTime(), nowMs, "capture time");
    }

    /** A deployment the gate may apply. */
    public void checkDeployment(Deployment d) throws RecordRejected {
        checkId(d.getId(), "deployment id");
        List<String> cameras = d.getCameras();
        if (cameras == null || cameras.isEmpty() || cameras.size() > MAX_CAMERAS) {
            throw invalid("a deployment lists 1 to " + MAX_CAMERAS + " cameras");
        }
        for (String c : cameras) {
            checkId(c, "camera id");
        }
        checkWatchlistId(d.getWatchlist());
        if (!d.getStart().isBefore(d.getEnd())) {
            throw invalid("the deployment ends at or before its start");
        }
        if (Duration.between(d.getStart(), d.getEnd()).compareTo(maxDeploymentLength) > 0) {
            throw invalid("the deployment is longer than " + maxDeploymentLength);
        }
        float t = d.getThreshold();
        if (!(t >= minThreshold && t <= 1)) { // also false for NaN
            throw invalid("threshold " + t + " is outside [" + minThreshold + ", 1]");
        }
        if (d.getStatus() == null || d.getStatus() == DeploymentStatus.UNKNOWN) {
            throw invalid("deployment status unknown to this job");
        }
        checkText(d.getPurpose(), "purpose");
        checkText(d.getAuthorisedBy(), "authorising officer");
        checkText(d.getAuthorisationRef(), "authorisation reference");
        if (d.getLocation() != null) {
            checkText(d.getLocation().getName(), "location name");
            double lat = d.getLocation().getLatitude();
            double lon = d.getLocation().getLongitude();
            if (!(lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180)) { // also false for NaN
                throw invalid("location " + lat + "," + lon + " is not a latitude and longitude");
            }
        }
        if (d.getWatchlistSize() != null && d.getWatchlistSize() < 0) {
            throw invalid("negative watchlist size");
        }
        if (d.getStatus() == DeploymentStatus.ACTIVE) { // an active deployment admits frames: it must be authorised
            if (d.getAuthorisedBy() == null || d.getAuthorisedBy().isBlank()) {
                throw invalid("an active deployment names no authorising officer");
            }
            if (!d.getSignageConfirmed()) {
                throw invalid("an active deployment without confirmed signage");
            }
        }
    }

    private static void checkText(String text, String what) throws RecordRejected {
        if (text != null && text.length() > MAX_TEXT) {
            throw invalid(what + " over " + MAX_TEXT + " characters");
        }
    }

    /**
     * A watchlist update the matcher may apply. Its version is a count or the writer's clock in epoch milliseconds
     * (as {@code ./lfr watchlist} writes it); one further ahead than {@code maxClockAhead} is refused, since no later
     * update could ever replace it: a writer counting in micro- or nanoseconds, or a forged {@code Long.MAX_VALUE},
     * would otherwise hold the subject against every later enrolment.
     */
    public void checkWatchlistUpdate(WatchlistUpdate u, long nowMs) throws RecordRejected {
        checkWatchlistId(u.getWatchlist());
        checkId(u.getSubject(), "subject id");
        if (u.getOp() == null || u.getOp() == WatchlistOp.UNKNOWN) {
            throw invalid("watchlist operation unknown to this job");
        }
        if (u.getVersion() < 0) {
            throw invalid("negative version");
        }
        if (isAhead(u.getVersion(), nowMs)) {
            throw new RecordRejected(DeadLetterReason.CLOCK_SKEW, "version " + u.getVersion() + " is more than " + maxClockAhead
                    + " ahead of the job's clock in epoch milliseconds (" + nowMs + "): no later update could replace it");
        }
        if (u.getDisplayName() != null && u.getDisplayName().length() > 1024
                || u.getReferenceImageUri() != null && u.getReferenceImageUri().length() > 4096) {
            throw invalid("display name or reference image URI too long");
        }
        checkText(u.getReason(), "reason");
        checkText(u.getImageSource(), "image source");
        checkText(u.getLegalBasis(), "legal basis");
        checkText(u.getEnrolledBy(), "enrolling officer");
        if (u.getOp() == WatchlistOp.DELETE) {
            return;
        }
        if (!embeddingModel.equals(u.getEmbeddingModel())) {
            throw new RecordRejected(DeadLetterReason.WRONG_MODEL, "vector of model " + clip(u.getEmbeddingModel())
                    + ", the job matches " + embeddingModel);
        }
        List<Float> v = u.getVector();
        if (v == null || v.size() != dimension) {
            throw new RecordRejected(DeadLetterReason.WRONG_DIMENSION, "vector of " + (v == null ? 0 : v.size())
                    + " values, the model has " + dimension);
        }
        double sum = 0;
        for (Float x : v) {
            if (x == null || !Float.isFinite(x)) {
                throw new RecordRejected(DeadLetterReason.NON_FINITE_VECTOR, "a vector value is not finite");
            }
            sum += x * x;
        }
        if (sum == 0) {
            throw invalid("a zero vector");
        }
    }

    /** An officer's decision the metrics may count. */
    public void checkAdjudication(Adjudication a, long nowMs) throws RecordRejected {
        checkId(a.getAlertId(), "alert id");
        checkId(a.getOfficer(), "officer id");
        if (a.getVerdict() == null || a.getVerdict() == Verdict.UNKNOWN) {
            throw invalid("verdict unknown to this job");
        }
        checkClock(a.getTime(), nowMs, "decision time");
    }

    /** Whether a time (epoch milliseconds) lies further ahead of {@code nowMs} than a clock may drift. */
    private boolean isAhead(long epochMs, long nowMs) {
        return epochMs > nowMs + maxClockAhead.toMillis();
    }

    private void checkClock(Instant t, long nowMs, String what) throws RecordRejected {
        long ms = t.toEpochMilli();
        if (isAhead(ms, nowMs)) {
            throw new RecordRejected(DeadLetterReason.CLOCK_SKEW, what + " " + t + " is more than " + maxClockAhead
                    + " ahead of the job's clock " + Instant.ofEpochMilli(nowMs));
        }
        if (ms < nowMs - maxAge.toMillis()) {
            throw new RecordRejected(DeadLetterReason.CLOCK_SKEW, what + " " + t + " is more than " + maxAge
                    + " behind the job's clock " + Instant.ofEpochMilli(nowMs));
        }
    }

    private static void checkWatchlistId(String id) throws RecordRejected {
        checkId(id, "watchlist id");
        if (id.indexOf('/') >= 0) { // the watchlist topic's key is watchlist/subject
            throw invalid("a watchlist id may not contain '/'");
        }
    }

    /** Ids are non-blank, bounded and printable (they end up in keys, metrics, logs and an officer's screen). */
    private static void checkId(String id, String what) throws RecordRejected {
        if (id == null || id.isBlank()) {
            throw invalid("no " + what);
        }
        if (id.length() > MAX_ID) {
            throw invalid(what + " over " + MAX_ID + " characters");
        }
        for (int i = 0; i < id.length(); i++) {
            if (Character.isISOControl(id.charAt(i))) {
                throw invalid(what + " with a control character");
            }
        }
    }

    private static RecordRejected invalid(String detail) {
        return new RecordRejected(DeadLetterReason.INVALID_RECORD, detail);
    }

    private static String clip(String s) {
        return s == null ? "null" : s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }
}
