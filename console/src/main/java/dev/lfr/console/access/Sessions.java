package dev.lfr.console.access;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Server-side sessions behind an opaque cookie, each with its CSRF token. A visitor gets an anonymous session (and
 * so a token for the login POST); logging in replaces it with a new id and token, so a planted cookie is useless.
 * Sessions end after {@code idle} without a request; at most {@code max} are kept, the least recently used going
 * first.
 */
public final class Sessions {
    /** One browser's session; {@code user} is null until it logs in. */
    public static final class Session {
        private final String id;
        private final String csrf;
        private final ConsoleUsers.User user;
        private volatile long lastSeenMs;

        Session(String id, String csrf, ConsoleUsers.User user, long now) {
            this.id = id;
            this.csrf = csrf;
            this.user = user;
            this.lastSeenMs = now;
        }

        public String id() {
            return id;
        }

        public String csrf() {
            return csrf;
        }

        public Optional<ConsoleUsers.User> user() {
            return Optional.ofNullable(user);
        }

        /** Whether {@code token} is this session's CSRF token (compared in constant time). */
        public boolean csrfMatches(String token) {
            return token != null && MessageDigest.isEqual(csrf.getBytes(StandardCharsets.UTF_8), token.getBytes(StandardCharsets.UTF_8));
        }
    }

    private final Map<String, Session> byId = new ConcurrentHashMap<>();
    private final SecureRandom random = new SecureRandom();
    private final Clock clock;
    private final Duration idle;
    private final int max;

    public Sessions(Clock clock, Duration idle, int max) {
        this.clock = clock;
        this.idle = idle;
        this.max = max;
    }

    /** The live session of this cookie value, touched; empty when unknown or expired. */
    public Optional<Session> find(String id) {
        if (id == null) {
            return Optional.empty();
        }
        Session s = byId.get(id);
        long now = clock.millis();
        if (s == null) {
            return Optional.empty();
        }
        if (now - s.lastSeenMs > idle.toMillis()) {
            byId.remove(id);
            return Optional.empty();
        }
        s.lastSeenMs = now;
        return Optional.of(s);
    }

    /** Whether {@code s} is still open (not ended, replaced or idle too long), without counting as activity. */
    public boolean live(Session s) {
        return byId.get(s.id) == s && clock.millis() - s.lastSeenMs <= idle.toMillis();
    }

    public Session anonymous() {
        return add(null);
    }

    /** Ends {@code previous} and opens a new session for {@code user}. */
    public Session login(Session previous, ConsoleUsers.User user) {
        if (previous != null) {
            byId.remove(previous.id);
        }
        return add(user);
    }

    public void end(Session s) {
        byId.remove(s.id);
    }

    public int size() {
        return byId.size();
    }

    private Session add(ConsoleUsers.User user) {
        long now = clock.millis();
        byId.values().removeIf(s -> now - s.lastSeenMs > idle.toMillis());
        while (byId.size() >= max) {
            // visitors go first: a flood of anonymous sessions must not log officers out
            byId.values().stream().min(Comparator.comparing((Session s) -> s.user != null).thenComparingLong(s -> s.lastSeenMs))
                    .ifPresent(s -> byId.remove(s.id));
        }
        Session s = new Session(token(), token(), user, now);
        byId.put(s.id, s);
        return s;
    }

    private String token() {
        byte[] b = new byte[32];
        random.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
}
