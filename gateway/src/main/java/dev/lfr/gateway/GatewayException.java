package dev.lfr.gateway;

/** A gateway refusal with a message for one line of output. */
public final class GatewayException extends RuntimeException {
    public GatewayException(String message) {
        super(message);
    }
}
