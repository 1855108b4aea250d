package dev.lfr.cluster;

/** A cluster or job operation that cannot be done; the message is one line for the user. */
public final class ClusterException extends RuntimeException {
    public ClusterException(String message) {
        super(message);
    }
}
