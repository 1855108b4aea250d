package dev.lfr.console;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import dev.lfr.console.access.ConsoleUsers;
import dev.lfr.console.access.LoginThrottle;
import dev.lfr.console.access.Sessions;
import dev.lfr.console.feed.ConsoleFeed;
import dev.lfr.governance.GovernanceException;
import dev.lfr.governance.adjudication.Adjudications;
import dev.lfr.governance.policy.GovernancePolicy;
import dev.lfr.governance.watchlist.ReferenceImages;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.Cookie;
import io.javalin.http.HttpStatus;
import io.javalin.http.SameSite;
import io.javalin.http.sse.SseClient;
import io.javalin.http.staticfiles.Location;
import io.javalin.json.JsonMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.Type;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The officer console's web server: the single-page UI (built into the jar, no CDN), its JSON API and the live alert
 * stream. Every response carries a strict Content-Security-Policy; sessions are HttpOnly, SameSite=Strict cookies;
 * every POST needs the session's CSRF token in {@code X-CSRF-Token}; failed logins are throttled per name and per
 * address. What each role may read is decided in {@link ReviewApi}.
 */
public final class ConsoleServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ConsoleServer.class);
    static final String SESSION_COOKIE = "lfr_session";
    static final String CSRF_HEADER = "X-CSRF-Token";
    static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self';"
            + " form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
    static final ObjectMapper JSON = new ObjectMapper().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);

    /**
     * @param host where to listen (127.0.0.1 keeps the console on this machine; put a TLS proxy in front otherwise)
     * @param port 0 picks a free port
     * @param secureCookies whether the session cookie is sent over HTTPS only (set it behind a TLS proxy)
     */
    public record Settings(String host, int port, Duration sessionIdle, boolean secureCookies) {
        public static Settings local(int port) {
            return new Settings("127.0.0.1", port, Duration.ofMinutes(30), false);
        }
    }

    private final Settings settings;
    private final ConsoleFeed feed;
    private final Javalin app;
    private final Sessions sessions;
    private final ScheduledExecutorService pushes = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "console-push");
        t.setDaemon(true);
        return t;
    });
    private final Map<SseClient, Sessions.Session> streams = new ConcurrentHashMap<>();

    private ConsoleServer(Settings settings, ConsoleFeed feed, ConsoleUsers users, ReviewApi review, Clock clock) {
        this.settings = settings;
        this.feed = feed;
        this.sessions = new Sessions(clock, settings.sessionIdle(), 10_000);
        // a name is guessed at slowly; an address less strictly, as officers behind one proxy or NAT share it
        LoginThrottle perName = new LoginThrottle(clock, 5, Duration.ofMinutes(5));
        LoginThrottle perAddress = new LoginThrottle(clock, 20, Duration.ofMinutes(5));
        Logins logins = new Logins(users, sessions, perName, perAddress, settings.secureCookies());
        this.app = Javalin.create(config -> {
            config.http.maxRequestSize = 16 * 1024;
            config.jsonMapper(new Jackson());
            config.startup.showJavalinBanner = false;
            config.staticFiles.add(s -> {
                s.hostedPath = "/";
                s.directory = "/dev/lfr/console/web";
                s.location = Location.CLASSPATH;
            });
            config.routes.before(ctx -> {
                ctx.header("Content-Security-Policy", CSP);
                ctx.header("X-Content-Type-Options", "nosniff");
                ctx.header("Referrer-Policy", "no-referrer");
                ctx.header("X-Frame-Options", "DENY");
                if (ctx.path().startsWith("/api/")) {
                    ctx.header("Cache-Control", "no-store");
                }
                if (ctx.method().name().equals("POST")) {
                    Optional<Sessions.Session> s = session(ctx);
                    if (s.isEmpty() || !s.get().csrfMatches(ctx.header(CSRF_HEADER))) {
                        throw new Refused(HttpStatus.FORBIDDEN, "missing or wrong CSRF token (reload the page)");
                    }
                }
            });
            config.routes.get("/vendor/uplot.js", ctx -> vendor(ctx, "dist/uPlot.iife.min.js", "text/javascript"));
            config.routes.get("/vendor/uplot.css", ctx -> vendor(ctx, "dist/uPlot.min.css", "text/css"));
            config.routes.get("/api/session", ctx -> logins.session(ctx, session(ctx)));
            config.routes.post("/api/login", ctx -> logins.login(ctx, session(ctx).orElseThrow()));
            config.routes.post("/api/logout", ctx -> logins.logout(ctx, session(ctx).orElseThrow()));
            config.routes.get("/api/deployments", ctx -> review.deployments(ctx, user(ctx)));
            config.routes.get("/api/deployments/{id}/report", ctx -> review.report(ctx, user(ctx), ctx.pathParam("id")));
            config.routes.get("/api/alerts", ctx -> review.alerts(ctx, user(ctx), ctx.queryParam("deployment")));
            config.routes.get("/api/alerts/{id}/crop", ctx -> review.crop(ctx, user(ctx), ctx.pathParam("id")));
            config.routes.get("/api/alerts/{id}/reference", ctx -> review.reference(ctx, user(ctx), ctx.pathParam("id")));
            config.routes.post("/api/alerts/{id}/verdict", ctx -> review.verdict(ctx, user(ctx), ctx.pathParam("id")));
            config.routes.get("/api/metrics", ctx -> review.metrics(ctx, user(ctx), ctx.queryParam("deployment")));
            config.routes.before("/api/alerts/stream", this::user); // refused before the stream's 200 goes out
            config.routes.sse("/api/alerts/stream", this::stream);
            config.routes.exception(Refused.class, (e, ctx) -> ctx.status(e.status).json(Map.of("error", e.getMessage())));
            config.routes.exception(Exception.class, (e, ctx) -> {
                LOG.warn("console request {} {} failed: {}", ctx.method(), ctx.path(), e.toString());
                ctx.status(HttpStatus.INTERNAL_SERVER_ERROR).json(Map.of("error", "internal error"));
            });
        });
        feed.onChange(change -> pushes.execute(() -> streams.forEach((client, s) -> {
            if (sessions.live(s)) {
                send(client, () -> review.push(client, s.user().orElseThrow(), change));
            } else {
                client.close(); // logged out or expired
            }
        })));
        // a comment now and then keeps proxies from closing a quiet stream, and finds the streams whose browser left
        pushes.scheduleWithFixedDelay(() -> streams.keySet().forEach(c -> send(c, () -> c.sendComment("ping"))), 15, 15, TimeUnit.SECONDS);
        app.start(settings.host(), settings.port());
    }

    /**
     * Reads the topics on {@code bootstrap} up to now, then serves them on {@code settings}' address; closing the
     * server stops reading.
     *
     * @param images where the watchlist's reference photos are stored ({@code lfr-image:} URIs)
     * @throws GovernanceException when the topics cannot be read within a minute
     */
    public static ConsoleServer start(Settings settings, String bootstrap, GovernancePolicy policy, ReferenceImages images,
                                      ConsoleUsers users) throws InterruptedException {
        ConsoleFeed feed = new ConsoleFeed(bootstrap);
        try {
            if (!feed.awaitCaughtUp(Duration.ofMinutes(1))) {
                throw new GovernanceException("could not read the topics on " + bootstrap + " within a minute");
            }
            ReviewApi review = new ReviewApi(bootstrap, feed, new Adjudications(bootstrap, policy, Clock.systemUTC()), images);
            ConsoleServer server = new ConsoleServer(settings, feed, users, review, Clock.systemUTC());
            return server;
        } catch (RuntimeException | InterruptedException e) {
            feed.close();
            throw e;
        }
    }

    public URI url() {
        String host = settings.host().equals("0.0.0.0") || settings.host().equals("::") ? "127.0.0.1" : settings.host();
        return URI.create("http://" + host + ":" + app.port() + "/");
    }

    /** A request refused with a status and a reason the UI shows as it is. */
    static final class Refused extends RuntimeException {
        final HttpStatus status;

        Refused(HttpStatus status, String message) {
            super(message);
            this.status = status;
        }
    }

    private Optional<Sessions.Session> session(Context ctx) {
        return sessions.find(ctx.cookie(SESSION_COOKIE));
    }

    private ConsoleUsers.User user(Context ctx) {
        return session(ctx).flatMap(Sessions.Session::user)
                .orElseThrow(() -> new Refused(HttpStatus.UNAUTHORIZED, "log in first"));
    }

    private void stream(SseClient client) {
        Optional<Sessions.Session> s = session(client.ctx()).filter(x -> x.user().isPresent());
        if (s.isEmpty()) {
            client.close(); // logged out between the check and here
            return;
        }
        client.keepAlive();
        client.onClose(() -> streams.remove(client));
        streams.put(client, s.get());
        client.sendComment("connected");
    }

    /** Sends to one stream; a stream that fails is closed and forgotten, and the others still get theirs. */
    private void send(SseClient client, Runnable sending) {
        try {
            sending.run();
        } catch (RuntimeException e) {
            client.close();
        }
        if (client.terminated()) {
            streams.remove(client);
        }
    }

    private static void vendor(Context ctx, String file, String type) throws IOException {
        Properties p = new Properties();
        try (InputStream in = ConsoleServer.class.getResourceAsStream("/META-INF/maven/org.webjars.npm/uplot/pom.properties")) {
            p.load(in);
        }
        InputStream body = ConsoleServer.class.getResourceAsStream("/META-INF/resources/webjars/uplot/" + p.getProperty("version") + "/" + file);
        if (body == null) {
            throw new Refused(HttpStatus.NOT_FOUND, "no " + file);
        }
        ctx.contentType(type).result(body);
    }

    static Cookie sessionCookie(String value, boolean secure, int maxAge) {
        return new Cookie(SESSION_COOKIE, value, "/", maxAge, secure, true, null, SameSite.STRICT);
    }

    @Override
    public void close() {
        streams.keySet().forEach(SseClient::close);
        app.stop();
        pushes.shutdownNow();
        try {
            feed.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Jackson, snake_case, for the API's JSON. */
    private static final class Jackson implements JsonMapper {
        @Override
        public String toJsonString(Object obj, Type type) {
            try {
                return JSON.writeValueAsString(obj);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public <T> T fromJsonString(String json, Type type) {
            try {
                return JSON.readValue(json, JSON.constructType(type));
            } catch (IOException e) {
                throw new Refused(HttpStatus.BAD_REQUEST, "the request body is not the JSON expected");
            }
        }
    }
}
