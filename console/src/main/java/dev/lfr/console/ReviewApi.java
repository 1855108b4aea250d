package dev.lfr.console;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.lfr.console.access.ConsoleUsers;
import dev.lfr.console.feed.AlertReview;
import dev.lfr.console.feed.ConsoleFeed;
import dev.lfr.governance.GovernanceException;
import dev.lfr.governance.adjudication.Adjudications;
import dev.lfr.governance.report.ReportSources;
import dev.lfr.governance.report.ReportWriter;
import dev.lfr.governance.watchlist.ReferenceImages;
import dev.lfr.schemas.Deployment;
import dev.lfr.schemas.DeploymentMetrics;
import dev.lfr.schemas.Verdict;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import io.javalin.http.sse.SseClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The review endpoints, and who may read what: officers and supervisors see the alerts, crops and reference photos
 * of the deployments assigned to them and give verdicts on them; supervisors also read reports; analysts read
 * deployments and metrics only, never a face or a name.
 */
final class ReviewApi {
    private static final int MAX_NOTE = 1000;

    private final String bootstrap;
    private final ConsoleFeed feed;
    private final Adjudications adjudications;
    private final ReferenceImages images;

    ReviewApi(String bootstrap, ConsoleFeed feed, Adjudications adjudications, ReferenceImages images) {
        this.bootstrap = bootstrap;
        this.feed = feed;
        this.adjudications = adjudications;
        this.images = images;
    }

    /** A deployment as the console lists it. */
    record DeploymentView(String id, String status, String purpose, String location, List<String> cameras, long start, long end,
                          String watchlist, float threshold, boolean twoPersonVerification) {
        static DeploymentView of(Deployment d) {
            return new DeploymentView(d.getId(), d.getStatus().name(), d.getPurpose(), d.getLocation() == null ? null : d.getLocation().getName(),
                    List.copyOf(d.getCameras()), d.getStart().toEpochMilli(), d.getEnd().toEpochMilli(), d.getWatchlist(), d.getThreshold(),
                    d.getTwoPersonVerification());
        }
    }

    /** A published metrics window, all cameras together. */
    record Window(long start, long end, long frames, long facesSearched, long alerts, long adjudicatedTrue, long adjudicatedFalse) {}

    /** A verdict request. */
    record VerdictRequest(String verdict, String note) {}

    void deployments(Context ctx, ConsoleUsers.User user) {
        ctx.json(feed.deployments().stream().filter(d -> user.assignedTo(d.getId())).map(DeploymentView::of).toList());
    }

    void alerts(Context ctx, ConsoleUsers.User user, String deployment) {
        requireFaces(user, deployment);
        ctx.json(feed.alerts(deployment));
    }

    void crop(Context ctx, ConsoleUsers.User user, String alertId) {
        requireFaces(user, alert(alertId).deployment());
        byte[] jpeg = feed.crop(alertId).orElseThrow(() -> new ConsoleServer.Refused(HttpStatus.NOT_FOUND,
                "the alert's crop is gone (retention)"));
        ctx.contentType("image/jpeg").result(jpeg);
    }

    void reference(Context ctx, ConsoleUsers.User user, String alertId) throws IOException {
        requireFaces(user, alert(alertId).deployment());
        Path photo = feed.referenceImage(alertId).flatMap(images::resolve).orElseThrow(() -> new ConsoleServer.Refused(
                HttpStatus.NOT_FOUND, "no reference photo for this subject"));
        String name = photo.getFileName().toString().toLowerCase(Locale.ROOT);
        ctx.contentType(name.endsWith(".png") ? "image/png" : "image/jpeg").result(Files.readAllBytes(photo));
    }

    void verdict(Context ctx, ConsoleUsers.User user, String alertId) {
        AlertReview a = alert(alertId);
        requireFaces(user, a.deployment());
        VerdictRequest r = ctx.bodyAsClass(VerdictRequest.class);
        Verdict v;
        try {
            v = Verdict.valueOf(r == null || r.verdict() == null ? "" : r.verdict());
        } catch (IllegalArgumentException e) {
            throw new ConsoleServer.Refused(HttpStatus.BAD_REQUEST, "a verdict is CONFIRMED, FALSE_ALERT or NO_ACTION");
        }
        String note = r.note() == null || r.note().isBlank() ? "reviewed in the console" : r.note().strip();
        if (note.length() > MAX_NOTE) {
            throw new ConsoleServer.Refused(HttpStatus.BAD_REQUEST, "a note has at most " + MAX_NOTE + " characters");
        }
        try {
            Adjudications.Decided d = adjudications.decide(alertId, v, user.name(), note);
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("alert_id", d.alertId());
            out.put("verdict", d.verdict().name());
            out.put("written", d.written());
            out.put("waiting_for", d.waitingFor());
            ctx.json(out);
        } catch (GovernanceException e) {
            throw new ConsoleServer.Refused(HttpStatus.CONFLICT, e.getMessage());
        }
    }

    void metrics(Context ctx, ConsoleUsers.User user, String deployment) {
        if (deployment == null || !user.assignedTo(deployment) || feed.deployment(deployment).isEmpty()) {
            throw new ConsoleServer.Refused(HttpStatus.FORBIDDEN, "not a deployment of yours");
        }
        List<Window> windows = feed.metrics(deployment).stream().map(ReviewApi::window).toList();
        long faces = windows.stream().mapToLong(Window::facesSearched).sum();
        long falseAlerts = windows.stream().mapToLong(Window::adjudicatedFalse).sum();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("deployment", deployment);
        out.put("frames", windows.stream().mapToLong(Window::frames).sum());
        out.put("faces_searched", faces);
        out.put("alerts", windows.stream().mapToLong(Window::alerts).sum());
        out.put("confirmed", windows.stream().mapToLong(Window::adjudicatedTrue).sum());
        out.put("false_alerts", falseAlerts);
        out.put("false_alert_rate_per_face", faces == 0 ? null : (double) falseAlerts / faces);
        out.put("windows", windows);
        ctx.json(out);
    }

    void report(Context ctx, ConsoleUsers.User user, String deployment) throws IOException {
        if (!user.role().readsReports() || !user.assignedTo(deployment)) {
            throw new ConsoleServer.Refused(HttpStatus.FORBIDDEN, "reports are for supervisors of the deployment");
        }
        Deployment d = feed.deployment(deployment).orElseThrow(() -> new ConsoleServer.Refused(HttpStatus.NOT_FOUND, "no deployment " + deployment));
        Path dir = Files.createTempDirectory("lfr-report");
        try {
            ReportWriter.write(ReportSources.read(bootstrap, d), dir);
            ctx.header("Content-Disposition", "attachment; filename=\"report-" + deployment.replaceAll("[^A-Za-z0-9._-]", "_") + ".md\"");
            ctx.contentType("text/markdown; charset=utf-8").result(Files.readString(dir.resolve("report.md")));
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** Tells one live stream about a change it may see. */
    void push(SseClient client, ConsoleUsers.User user, ConsoleFeed.Change change) {
        if (!user.assignedTo(change.deployment())) {
            return;
        }
        try {
            switch (change.kind()) {
                case ALERT -> {
                    if (user.role().reviewsAlerts()) {
                        client.sendEvent("alert", ConsoleServer.JSON.writeValueAsString(feed.alert(change.alertId())
                                .map(a -> (Object) a).orElse(Map.of("alert_id", change.alertId(), "removed", true))));
                    }
                }
                case METRICS -> client.sendEvent("metrics", ConsoleServer.JSON.writeValueAsString(Map.of("deployment", change.deployment())));
                case DEPLOYMENT -> client.sendEvent("deployment", ConsoleServer.JSON.writeValueAsString(Map.of("id", change.deployment())));
                default -> { }
            }
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private AlertReview alert(String alertId) {
        return feed.alert(alertId).orElseThrow(() -> new ConsoleServer.Refused(HttpStatus.NOT_FOUND, "no alert " + alertId));
    }

    private static void requireFaces(ConsoleUsers.User user, String deployment) {
        if (!user.role().reviewsAlerts()) {
            throw new ConsoleServer.Refused(HttpStatus.FORBIDDEN, "analysts see metrics only, never alerts or faces");
        }
        if (deployment == null || !user.assignedTo(deployment)) {
            throw new ConsoleServer.Refused(HttpStatus.FORBIDDEN, "not a deployment assigned to you");
        }
    }

    private static Window window(DeploymentMetrics m) {
        return new Window(m.getWindowStart().toEpochMilli(), m.getWindowEnd().toEpochMilli(), m.getFrames(), m.getFacesSearched(),
                m.getAlerts(), m.getAdjudicatedTrue(), m.getAdjudicatedFalse());
    }
}
