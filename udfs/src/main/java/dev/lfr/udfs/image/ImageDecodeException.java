package dev.lfr.udfs.image;

/** An image that cannot or must not be decoded; {@link #reason()} is a stable code for dead-letter records. */
public class ImageDecodeException extends Exception {
    /** Stable reason codes: they end up in dead-letter records and metrics, so don't rename them. */
    public enum Reason { EMPTY, UNSUPPORTED_FORMAT, TRUNCATED, CORRUPT, TOO_LARGE }

    private final Reason reason;

    public ImageDecodeException(Reason reason, String detail) {
        super(reason + ": " + detail);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
