package dev.lfr.governance;

/** A request the rules refuse, or a store that cannot be reached; the message is one line for the person who asked. */
public final class GovernanceException extends RuntimeException {
    public GovernanceException(String message) {
        super(message);
    }

    public GovernanceException(String message, Throwable cause) {
        super(message, cause);
    }
}
