package dev.lfr.udfs.index;

/** A failure inside an index implementation, such as an error thrown by FAISS in native code. */
public class IndexException extends RuntimeException {
    public IndexException(String message) {
        super(message);
    }

    public IndexException(String message, Throwable cause) {
        super(message, cause);
    }
}
