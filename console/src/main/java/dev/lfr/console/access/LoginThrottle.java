package dev.lfr.console.access;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Slows password guessing: after {@code attempts} failed logins within {@code window} for one key (a user name, or a
 * client address), further attempts for that key are refused until the oldest failure leaves the window.
 */
public final class LoginThrottle {
    private final Clock clock;
    private final int attempts;
    private final Duration window;
    private final Map<String, Deque<Long>> failures = new ConcurrentHashMap<>();

    public LoginThrottle(Clock clock, int attempts, Duration window) {
        this.clock = clock;
        this.attempts = attempts;
        this.window = window;
    }

    /** How long {@code key} must wait before its next attempt; zero when it may try now. */
    public Duration waitFor(String key) {
        Deque<Long> f = failures.get(key);
        if (f == null) {
            return Duration.ZERO;
        }
        synchronized (f) {
            long now = clock.millis();
            while (!f.isEmpty() && now - f.peekFirst() >= window.toMillis()) {
                f.pollFirst();
            }
            return f.size() < attempts ? Duration.ZERO : Duration.ofMillis(window.toMillis() - (now - f.peekFirst()));
        }
    }

    public void failed(String key) {
        Deque<Long> f = failures.computeIfAbsent(key, k -> new ArrayDeque<>());
        synchronized (f) {
            f.addLast(clock.millis());
            while (f.size() > attempts) {
                f.pollFirst();
            }
        }
        if (failures.size() > 100_000) {
            failures.entrySet().removeIf(e -> waitFor(e.getKey()).isZero());
        }
    }

    public void succeeded(String key) {
        failures.remove(key);
    }
}
