package dev.lfr.udfs.model;

/** Models could not be fetched, verified or built; the message is one line meant for a user. */
public class ModelInstallException extends RuntimeException {
    public ModelInstallException(String message) {
        super(message);
    }

    public ModelInstallException(String message, Throwable cause) {
        super(message, cause);
    }
}
