package dev.lfr.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lfr.console.access.ConsoleUsers;
import dev.lfr.console.access.Role;
import dev.lfr.governance.audit.AuditEvent;
import dev.lfr.governance.audit.AuditTrail;
import dev.lfr.governance.deployment.DeploymentLifecycle;
import dev.lfr.governance.deployment.DeploymentRequest;
import dev.lfr.governance.policy.GovernancePolicy;
import dev.lfr.governance.watchlist.ReferenceImages;
import dev.lfr.jobs.kafka.WatchlistTopic;
import dev.lfr.schemas.Adjudication;
import dev.lfr.schemas.AuditAction;
import dev.lfr.schemas.AvroBytes;
import dev.lfr.schemas.Deployment;
import dev.lfr.schemas.DeploymentLocation;
import dev.lfr.schemas.DeploymentMetrics;
import dev.lfr.schemas.MatchAlert;
import dev.lfr.schemas.Verdict;
import dev.lfr.schemas.WatchlistOp;
import dev.lfr.schemas.WatchlistUpdate;
import dev.lfr.testkit.LocalKafka;
import dev.lfr.topics.Topics;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.Select;

/**
 * The console in a real browser (headless Chromium) against a real broker: what officers, a second officer and an
 * analyst see and may do, and what an attacker's page or a hostile display name cannot do. The alerts here are
 * written to the topic by the test; the demo's browser test in cli takes one from a replayed walk-past.
 */
class ConsoleBrowserTest {
    static final String PASSWORD = "correct horse battery";
    static final String HOSTILE_NAME = "<script>window.pwned=1</script><img src=x onerror=\"window.pwned=2\">Eve";
    static final String DEPLOYMENT = "op-strand";
    static final String OTHER = "op-elsewhere";
    static final String ALERT = "alert-strand-1";
    static final String OTHER_ALERT = "alert-elsewhere-1";
    static final GovernancePolicy POLICY = GovernancePolicy.defaults().withPurpose("wanted-offender");

    static LocalKafka kafka;
    static Path images;
    static ConsoleUsers users;

    ConsoleServer console;
    HeadlessChromium chromium;

    @BeforeAll
    static void topics(@TempDir Path dir) throws Exception {
        kafka = new LocalKafka();
        kafka.createTopics(Topics.ALL.toArray(String[]::new));
        images = dir.resolve("images");
        String hash = ConsoleUsers.hash(PASSWORD);
        users = ConsoleUsers.of(List.of(
                new ConsoleUsers.User("pc-first", Role.OFFICER, hash, List.of(DEPLOYMENT)),
                new ConsoleUsers.User("pc-second", Role.OFFICER, hash, List.of(DEPLOYMENT)),
                new ConsoleUsers.User("pc-elsewhere", Role.OFFICER, hash, List.of(OTHER)),
                new ConsoleUsers.User("analyst", Role.ANALYST, hash, List.of(ConsoleUsers.ALL)),
                new ConsoleUsers.User("sgt-super", Role.SUPERVISOR, hash, List.of(ConsoleUsers.ALL))));
        Instant now = Instant.now();
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        records.add(deployment(DEPLOYMENT, true, now));
        records.add(deployment(OTHER, false, now));
        ReferenceImages store = new ReferenceImages(images);
        Path photo = dir.resolve("eve.png");
        ImageIO.write(face(Color.ORANGE), "png", photo.toFile());
        WatchlistTopic topic = new WatchlistTopic(kafka.bootstrap(), Topics.WATCHLIST);
        records.add(topic.record(WatchlistUpdate.newBuilder().setWatchlist("wl").setSubject("eve").setVersion(1).setOp(WatchlistOp.UPSERT)
                .setEmbeddingModel("m").setVector(List.of(1f, 0f)).setDisplayName(HOSTILE_NAME)
                .setReferenceImageUri(store.store("wl", "eve", photo)).build()));
        records.add(alert(ALERT, DEPLOYMENT, now));
        records.add(alert(OTHER_ALERT, OTHER, now));
        new AuditTrail(kafka.bootstrap(), Clock.systemUTC()).commit(records,
                List.of(new AuditEvent("test", AuditAction.DEPLOYMENT_ACTIVATED, DEPLOYMENT, "wl", null, "activated", "test")));
        kafka.produceKeyed(Topics.METRICS, List.of(new ProducerRecord<>(Topics.METRICS, DEPLOYMENT.getBytes(StandardCharsets.UTF_8),
                AvroBytes.encode(DeploymentMetrics.newBuilder().setWindowStart(now.minusSeconds(10)).setWindowEnd(now).setDeployment(DEPLOYMENT)
                        .setFrames(400).setFacesDetected(1234).setFacesSearched(1200).setAlerts(1).setAdjudicatedTrue(0).setAdjudicatedFalse(0)
                        .build()))));
    }

    @AfterAll
    static void stop() throws Exception {
        kafka.close();
    }

    @BeforeEach
    void start() throws Exception {
        console = ConsoleServer.start(ConsoleServer.Settings.local(0), kafka.bootstrap(), POLICY, new ReferenceImages(images), users);
        chromium = new HeadlessChromium();
    }

    @AfterEach
    void close() throws Exception {
        if (chromium != null) {
            chromium.close();
        }
        console.close();
    }

    @Test
    void twoOfficersConfirmAnAlertSideBySideWithItsReferenceAndAHostileNameStaysText() {
        chromium.driver().get(console.url().toString());
        logIn("pc-first", "not the password");
        chromium.waiting(Duration.ofSeconds(10)).until(d -> !d.findElement(By.id("login-error")).getText().isEmpty());
        assertThat(chromium.driver().findElement(By.id("login-error")).getText()).contains("wrong name or password");

        logIn("pc-first", PASSWORD);
        WebElement card = awaitAlertCard(ALERT);
        assertThat(card.getText()).contains(HOSTILE_NAME); // shown as text, tags and all
        assertThat(chromium.script("return window.pwned === undefined && document.querySelectorAll('#alert-list script, #alert-list img').length === 0"))
                .isEqualTo(true);
        chromium.waiting(Duration.ofSeconds(10)).until(d -> loaded("probe") && loaded("reference"));
        assertThat(chromium.driver().findElement(By.id("r-score")).getText()).isEqualTo("0.612");
        assertThat(chromium.driver().findElements(By.cssSelector("#alert-list li"))).hasSize(1); // not the other deployment's

        new Actions(chromium.driver()).sendKeys("c").perform(); // the keyboard shortcut
        awaitState("awaiting a second officer (first: pc-first)");
        assertThat(verdicts()).isEmpty();

        chromium.driver().findElement(By.id("logout")).click();
        logIn("pc-second", PASSWORD);
        awaitAlertCard(ALERT);
        awaitState("awaiting a second officer (first: pc-first)");
        chromium.driver().findElement(By.id("note")).sendKeys("same scar as the reference");
        chromium.driver().findElement(By.id("verdict-confirmed")).click();
        awaitState("confirmed by pc-second");
        assertThat(verdicts()).singleElement().satisfies(a -> {
            assertThat(a.getOfficer()).isEqualTo("pc-second");
            assertThat(a.getVerdict()).isEqualTo(Verdict.CONFIRMED);
        });
        assertThat(chromium.driver().findElement(By.id("verdict-confirmed")).isEnabled()).isFalse();
    }

    @Test
    void anAnalystSeesMetricsButNeverAFace() {
        chromium.driver().get(console.url().toString());
        logIn("analyst", PASSWORD);
        chromium.waiting(Duration.ofSeconds(10)).until(d -> d.findElement(By.id("dashboard-view")).isDisplayed());
        new Select(chromium.driver().findElement(By.id("deployment"))).selectByValue(DEPLOYMENT);
        chromium.waiting(Duration.ofSeconds(10)).until(d -> d.findElement(By.id("dashboard-view")).isDisplayed()
                && d.findElement(By.id("m-faces")).getText().equals("1200"));
        assertThat(chromium.driver().findElement(By.id("tab-alerts")).isDisplayed()).isFalse();
        assertThat(chromium.driver().findElement(By.cssSelector("#chart canvas")).isDisplayed()).isTrue();
        assertThat(chromium.driver().findElement(By.id("chart")).getText()).contains("false alerts per 1,000 faces");
        assertThat(status("GET", "/api/alerts/" + ALERT + "/crop", true)).isEqualTo(403);
        assertThat(status("GET", "/api/alerts/" + ALERT + "/reference", true)).isEqualTo(403);
        assertThat(status("GET", "/api/alerts?deployment=" + DEPLOYMENT, true)).isEqualTo(403);
        assertThat(status("GET", "/api/deployments/" + DEPLOYMENT + "/report", true)).isEqualTo(403);
    }

    @Test
    void aSupervisorReviewsAndDownloadsTheDeploymentsReport() {
        chromium.driver().get(console.url().toString());
        logIn("sgt-super", PASSWORD);
        chromium.waiting(Duration.ofSeconds(10)).until(d -> d.findElement(By.id("report-link")).isDisplayed());
        new Select(chromium.driver().findElement(By.id("deployment"))).selectByValue(DEPLOYMENT);
        awaitAlertCard(ALERT);
        Object report = chromium.async("const cb = arguments[arguments.length - 1];"
                + "fetch(document.getElementById('report-link').href).then(r => r.text()).then(cb)");
        assertThat((String) report).contains(DEPLOYMENT).contains("The Strand");
        assertThat(status("GET", "/api/alerts/" + OTHER_ALERT + "/crop", true)).isEqualTo(200); // every deployment
    }

    @Test
    void anOfficerSeesOnlyTheirDeploymentsAndEveryPostNeedsTheSessionsCsrfToken() {
        chromium.driver().get(console.url().toString());
        logIn("pc-elsewhere", PASSWORD);
        awaitAlertCard(OTHER_ALERT);
        assertThat(status("GET", "/api/alerts/" + ALERT + "/crop", true)).isEqualTo(403);
        assertThat(status("GET", "/api/alerts/" + OTHER_ALERT + "/crop", true)).isEqualTo(200);
        String verdict = "/api/alerts/" + OTHER_ALERT + "/verdict";
        assertThat(status("POST", verdict, false)).isEqualTo(403); // no token
        assertThat(chromium.async("const cb = arguments[arguments.length - 1]; fetch(arguments[0], {method: 'POST',"
                + " headers: {'Content-Type': 'application/json', 'X-CSRF-Token': 'forged'}, body: '{\"verdict\":\"CONFIRMED\"}'})"
                + ".then(r => cb(r.status))", verdict)).isEqualTo(403L);
        assertThat(verdicts()).noneMatch(a -> a.getAlertId().equals(OTHER_ALERT));
        assertThat(status("POST", verdict, true)).isEqualTo(200); // the page's own token works
        awaitState("confirmed by pc-elsewhere");
    }

    @Test
    void responsesCarryAStrictPolicyAndCookiesAreHttpOnlyAndLoginsAreThrottled() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        for (String path : List.of("/", "/console.js", "/vendor/uplot.js", "/api/session", "/api/deployments", "/no-such-page")) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(console.url().resolve(path)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.headers().firstValue("Content-Security-Policy")).as(path).hasValue(ConsoleServer.CSP);
            assertThat(r.headers().firstValue("X-Content-Type-Options")).as(path).hasValue("nosniff");
        }
        HttpResponse<String> session = http.send(HttpRequest.newBuilder(console.url().resolve("/api/session")).build(),
                HttpResponse.BodyHandlers.ofString());
        String cookie = session.headers().firstValue("Set-Cookie").orElseThrow();
        assertThat(cookie).contains("HttpOnly").containsIgnoringCase("SameSite=Strict");
        assertThat(http.send(HttpRequest.newBuilder(console.url().resolve("/api/deployments")).build(), HttpResponse.BodyHandlers.ofString())
                .statusCode()).isEqualTo(401);

        chromium.driver().get(console.url().toString());
        assertThat(login("sgt-super", "x".repeat(20_000))).isEqualTo(413); // bodies are small; nothing larger is read
        for (int i = 0; i < 5; i++) {
            assertThat(login("sgt-super", "guess " + i)).isEqualTo(401);
        }
        assertThat(login("sgt-super", PASSWORD)).isEqualTo(429); // even the right password, until the window passes
        assertThat(login("pc-first", "guess")).isEqualTo(401); // another name may still try from here ...
        for (int i = 0; i < 14; i++) {
            login("nobody-" + i, "guess");
        }
        assertThat(login("pc-second", PASSWORD)).isEqualTo(429); // ... until the address has failed 20 times
    }

    private void logIn(String name, String password) {
        chromium.waiting(Duration.ofSeconds(10)).until(d -> d.findElement(By.id("login-name")).isDisplayed());
        WebElement n = chromium.driver().findElement(By.id("login-name"));
        n.clear();
        n.sendKeys(name);
        WebElement p = chromium.driver().findElement(By.id("login-password"));
        p.clear();
        p.sendKeys(password, Keys.ENTER);
    }

    private int login(String name, String password) {
        Object s = chromium.async("const cb = arguments[arguments.length - 1];"
                + "fetch('/api/session').then(r => r.json()).then(s => fetch('/api/login', {method: 'POST',"
                + " headers: {'Content-Type': 'application/json', 'X-CSRF-Token': s.csrf},"
                + " body: JSON.stringify({name: arguments[0], password: arguments[1]})})).then(r => cb(r.status))", name, password);
        return ((Number) s).intValue();
    }

    private WebElement awaitAlertCard(String alertId) {
        By card = By.cssSelector("#alert-list li[data-alert-id='" + alertId + "']");
        chromium.waiting(Duration.ofSeconds(20)).until(d -> !d.findElements(card).isEmpty());
        return chromium.driver().findElement(card);
    }

    private void awaitState(String text) {
        chromium.waiting(Duration.ofSeconds(20)).until(d -> d.findElement(By.id("r-state")).getText().startsWith(text));
    }

    private boolean loaded(String img) {
        return Boolean.TRUE.equals(chromium.script("const i = document.getElementById(arguments[0]); return i.complete && i.naturalWidth > 0", img));
    }

    /** The HTTP status of a same-origin request from the page, with or without the page's CSRF token. */
    private int status(String method, String path, boolean withToken) {
        Object s = chromium.async("const cb = arguments[arguments.length - 1];"
                + "fetch('/api/session').then(r => r.json()).then(s => fetch(arguments[0], {method: arguments[1],"
                + " headers: arguments[2] && arguments[1] === 'POST' ? {'Content-Type': 'application/json', 'X-CSRF-Token': s.csrf}"
                + " : {'Content-Type': 'application/json'}, body: arguments[1] === 'POST' ? '{\"verdict\":\"CONFIRMED\"}' : undefined}))"
                + ".then(r => cb(r.status))", path, method, withToken);
        return ((Number) s).intValue();
    }

    private static List<Adjudication> verdicts() {
        return kafka.readAll(Topics.ADJUDICATIONS).stream().map(r -> AvroBytes.decode(r.value(), Adjudication.class)).toList();
    }

    private static ProducerRecord<byte[], byte[]> deployment(String id, boolean twoPeople, Instant now) {
        DeploymentLifecycle lifecycle = new DeploymentLifecycle(POLICY);
        Deployment planned = lifecycle.create(new DeploymentRequest(id, "wanted-offender", "supt-jones", "AUTH-1", now.minusSeconds(60),
                new DeploymentLocation("The Strand", 51.51, -0.12), List.of("cam-1"), now.minusSeconds(30), now.plusSeconds(3600), "wl",
                0.5f, true, twoPeople), now);
        Deployment d = lifecycle.activate(planned, true, 1, 1, now);
        return new ProducerRecord<>(Topics.DEPLOYMENTS, id.getBytes(StandardCharsets.UTF_8), AvroBytes.encode(d));
    }

    private static ProducerRecord<byte[], byte[]> alert(String id, String deployment, Instant now) throws Exception {
        ByteArrayOutputStream jpeg = new ByteArrayOutputStream();
        ImageIO.write(face(Color.GRAY), "jpg", jpeg);
        MatchAlert a = MatchAlert.newBuilder().setAlertId(id).setDeployment(deployment).setCameras(List.of("cam-1")).setSubject("eve")
                .setBestScore(0.612f).setFirstSeen(now.minusSeconds(5)).setLastSeen(now.minusSeconds(2)).setSightings(3)
                .setBestCropJpeg(ByteBuffer.wrap(jpeg.toByteArray())).setWatchlistVersion(1).setEmbeddingModel("m").build();
        return new ProducerRecord<>(Topics.ALERTS, id.getBytes(StandardCharsets.UTF_8), AvroBytes.encode(a));
    }

    private static BufferedImage face(Color c) {
        BufferedImage img = new BufferedImage(112, 112, BufferedImage.TYPE_INT_RGB);
        var g = img.createGraphics();
        g.setColor(c);
        g.fillOval(16, 8, 80, 96);
        g.dispose();
        return img;
    }

}
