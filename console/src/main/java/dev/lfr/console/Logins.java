package dev.lfr.console;

import dev.lfr.console.access.ConsoleUsers;
import dev.lfr.console.access.LoginThrottle;
import dev.lfr.console.access.Sessions;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** Log in, log out, and who is logged in: the session endpoints. */
final class Logins {
    /** A login request. */
    record Credentials(String name, String password) {}

    private final ConsoleUsers users;
    private final Sessions sessions;
    private final LoginThrottle perName;
    private final LoginThrottle perAddress;
    private final boolean secureCookies;

    Logins(ConsoleUsers users, Sessions sessions, LoginThrottle perName, LoginThrottle perAddress, boolean secureCookies) {
        this.users = users;
        this.sessions = sessions;
        this.perName = perName;
        this.perAddress = perAddress;
        this.secureCookies = secureCookies;
    }

    /** The session's user (or none) and its CSRF token; a visitor without a session gets an anonymous one. */
    void session(Context ctx, Optional<Sessions.Session> current) {
        Sessions.Session s = current.orElseGet(() -> {
            Sessions.Session fresh = sessions.anonymous();
            ctx.cookie(ConsoleServer.sessionCookie(fresh.id(), secureCookies, -1));
            return fresh;
        });
        ctx.json(describe(s));
    }

    void login(Context ctx, Sessions.Session current) {
        Credentials c = ctx.bodyAsClass(Credentials.class);
        String name = c == null || c.name() == null ? "" : c.name().trim();
        Duration wait = max(perName.waitFor(name), perAddress.waitFor(ctx.ip()));
        if (!wait.isZero()) {
            ctx.header("Retry-After", Long.toString(Math.max(1, wait.toSeconds())));
            throw new ConsoleServer.Refused(HttpStatus.TOO_MANY_REQUESTS,
                    "too many failed logins: try again in " + Math.max(1, wait.toSeconds()) + " s");
        }
        Optional<ConsoleUsers.User> user = users.authenticate(name, c == null ? null : c.password());
        if (user.isEmpty()) {
            perName.failed(name);
            perAddress.failed(ctx.ip());
            throw new ConsoleServer.Refused(HttpStatus.UNAUTHORIZED, "wrong name or password");
        }
        perName.succeeded(name);
        Sessions.Session s = sessions.login(current, user.get());
        ctx.cookie(ConsoleServer.sessionCookie(s.id(), secureCookies, -1));
        ctx.json(describe(s));
    }

    void logout(Context ctx, Sessions.Session current) {
        sessions.end(current);
        Sessions.Session s = sessions.anonymous();
        ctx.cookie(ConsoleServer.sessionCookie(s.id(), secureCookies, -1));
        ctx.json(describe(s));
    }

    private static Map<String, Object> describe(Sessions.Session s) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("user", s.user().map(u -> Map.of("name", u.name(), "role", u.role().name())).orElse(null));
        out.put("csrf", s.csrf());
        return out;
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }
}
