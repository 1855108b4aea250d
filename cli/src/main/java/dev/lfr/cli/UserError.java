package dev.lfr.cli;

/** An error meant for the user: printed as one line, without a stack trace. */
public class UserError extends RuntimeException {
    public UserError(String message) {
        super(message);
    }
}
