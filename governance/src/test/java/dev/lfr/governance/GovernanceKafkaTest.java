package dev.lfr.governance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lfr.governance.adjudication.Adjudications;
import dev.lfr.governance.audit.AuditTrail;
import dev.lfr.governance.deployment.DeploymentLifecycleTest;
import dev.lfr.governance.deployment.DeploymentRegistry;
import dev.lfr.governance.deployment.DeploymentRequest;
import dev.lfr.governance.policy.GovernancePolicy;
import dev.lfr.governance.report.DeploymentReport;
import dev.lfr.governance.report.DeploymentReportTest;
import dev.lfr.governance.report.ReportSources;
import dev.lfr.governance.retention.RetentionSweep;
import dev.lfr.governance.watchlist.EnrolmentRules;
import dev.lfr.governance.watchlist.ReferenceImages;
import dev.lfr.governance.watchlist.Watchlists;
import dev.lfr.schemas.Adjudication;
import dev.lfr.schemas.AuditAction;
import dev.lfr.schemas.AuditRecord;
import dev.lfr.schemas.AvroBytes;
import dev.lfr.schemas.Deployment;
import dev.lfr.schemas.DeploymentMetrics;
import dev.lfr.schemas.DeploymentStatus;
import dev.lfr.schemas.MatchAlert;
import dev.lfr.schemas.Verdict;
import dev.lfr.schemas.WatchlistUpdate;
import dev.lfr.testkit.LocalKafka;
import dev.lfr.testkit.MovableClock;
import dev.lfr.topics.KafkaClients;
import dev.lfr.topics.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Governance against a real broker: the deployment lifecycle, enrolment with provenance, deletion that survives
 * compaction, the sweep, two-person verification, the audit chain and the report, each test on its own watchlist
 * and deployment ids.
 */
class GovernanceKafkaTest {
    static LocalKafka kafka;
    static String bs;
    static final GovernancePolicy POLICY = DeploymentLifecycleTest.policy();

    @TempDir
    Path tmp;

    @BeforeAll
    static void broker() throws Exception {
        kafka = new LocalKafka();
        bs = kafka.bootstrap();
        KafkaClients.createTopics(bs, 1);
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bs))) { // segments roll fast, so compaction can run
            admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.TOPIC, Topics.WATCHLIST), List.of(
                    new AlterConfigOp(new ConfigEntry("segment.ms", "100"), AlterConfigOp.OpType.SET),
                    new AlterConfigOp(new ConfigEntry("min.cleanable.dirty.ratio", "0.01"), AlterConfigOp.OpType.SET)))).all().get();
        }
    }

    @AfterAll
    static void stop() throws Exception {
        kafka.close();
    }

    static DeploymentRequest request(String id, String watchlist, Instant now) {
        DeploymentRequest r = DeploymentLifecycleTest.request();
        return new DeploymentRequest(id, r.purpose(), r.authorisedBy(), r.authorisationRef(), now.minusSeconds(60), r.location(),
                r.cameras(), now.minusSeconds(10), now.plus(Duration.ofHours(4)), watchlist, r.threshold(), false, id.endsWith("-2p"));
    }

    static final java.util.concurrent.atomic.AtomicInteger NEXT_AXIS = new java.util.concurrent.atomic.AtomicInteger();

    /** Orthogonal unit vectors of 512 values, as a real template is (the rules only take their dot products). */
    List<EnrolmentRules.Candidate> candidates(String... subjects) throws Exception {
        List<EnrolmentRules.Candidate> out = new ArrayList<>();
        for (int i = 0; i < subjects.length; i++) {
            float[] t = new float[512];
            t[NEXT_AXIS.getAndIncrement() % 512] = 1;
            Path photo = Files.write(tmp.resolve(subjects[i] + ".jpg"), new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) i});
            out.add(new EnrolmentRules.Candidate(subjects[i], t, "fr-feature-512", photo,
                    new EnrolmentRules.Provenance("wanted on warrant W/" + i, "custody record C/" + i, "PACE 1984 s.64A")));
        }
        return out;
    }

    Watchlists watchlists(Clock clock) {
        return new Watchlists(bs, POLICY, new ReferenceImages(tmp.resolve("images")), clock);
    }

    /** A deployment activated with one subject enrolled; returns its registry. */
    DeploymentRegistry activeDeployment(Clock clock, String id, String watchlist) throws Exception {
        DeploymentRegistry registry = new DeploymentRegistry(bs, POLICY, clock);
        Watchlists wl = watchlists(clock);
        registry.create(request(id, watchlist, clock.instant()), "test");
        wl.enrol(watchlist, candidates(id + "-subject"), null, "sgt-4", false, wl.deployments());
        registry.activate(id, true, "insp-4", "go");
        return registry;
    }

    static long auditRecords() {
        return new AuditTrail(bs, Clock.systemUTC()).read().size();
    }

    @Test
    void aDeploymentGoesThroughItsLifeWithEveryStepAuditedAndBadRequestsWriteNothing() throws Exception {
        Clock clock = Clock.systemUTC();
        DeploymentRegistry registry = new DeploymentRegistry(bs, POLICY, clock);
        Watchlists wl = watchlists(clock);
        registry.create(request("life-1", "wl-life", clock.instant()), "serious violence hot spot, briefing 12");
        long before = auditRecords();
        DeploymentRequest good = request("life-bad", "wl-life", clock.instant());
        List<DeploymentRequest> bad = List.of(
                new DeploymentRequest("life-bad", good.purpose(), good.authorisedBy(), good.authorisationRef(), good.authorisedAt(),
                        good.location(), List.of("cam-404"), good.start(), good.end(), "wl-life", 0.6f, false, false),
                new DeploymentRequest("life-bad", good.purpose(), good.authorisedBy(), good.authorisationRef(), good.authorisedAt(),
                        good.location(), good.cameras(), good.end(), good.start(), "wl-life", 0.6f, false, false),
                new DeploymentRequest("life-bad", good.purpose(), good.authorisedBy(), good.authorisationRef(), good.authorisedAt(),
                        good.location(), good.cameras(), good.start(), good.end(), "wl-life", 0.05f, false, false));
        for (DeploymentRequest r : bad) {
            assertThatThrownBy(() -> registry.create(r, "test")).isInstanceOf(GovernanceException.class);
        }
        assertThatThrownBy(() -> registry.create(good, " ")).hasMessageContaining("reason is required");
        assertThatThrownBy(() -> registry.activate("life-1", true, "insp-1", "go")).hasMessageContaining("no live subject");
        assertThatThrownBy(() -> wl.enrol("wl-life", candidates("noprov").stream().map(c -> new EnrolmentRules.Candidate(c.subject(),
                c.template(), c.embeddingModel(), c.photo(), new EnrolmentRules.Provenance("r", "s", ""))).toList(), null, "sgt-1", false,
                wl.deployments())).hasMessageContaining("legal basis");
        assertThat(auditRecords()).isEqualTo(before);
        assertThat(registry.find("life-bad")).isEmpty();

        Watchlists.Enrolled enrolled = wl.enrol("wl-life", candidates("alice", "bob"), null, "sgt-1", false, wl.deployments());
        assertThat(enrolled.expiry()).isEqualTo(registry.get("life-1").getEnd().plus(Duration.ofHours(24)));
        WatchlistUpdate alice = wl.current("wl-life").get("alice");
        assertThat(alice.getReason()).isEqualTo("wanted on warrant W/0");
        assertThat(alice.getLegalBasis()).isEqualTo("PACE 1984 s.64A");
        assertThat(alice.getEnrolledBy()).isEqualTo("sgt-1");
        assertThat(new ReferenceImages(tmp.resolve("images")).resolve(alice.getReferenceImageUri())).isPresent();

        Deployment active = registry.activate("life-1", true, "insp-1", "signs checked at 07:55");
        assertThat(active.getStatus()).isEqualTo(DeploymentStatus.ACTIVE);
        assertThat(active.getWatchlistVersion()).isEqualTo(enrolled.version());
        assertThat(active.getWatchlistSize()).isEqualTo(2);
        assertThatThrownBy(() -> wl.enrol("wl-life", candidates("carol"), null, "sgt-1", false, wl.deployments()))
                .hasMessageContaining("frozen at version " + enrolled.version());
        registry.end("life-1", "insp-1", "shift over");
        assertThat(registry.get("life-1").getStatus()).isEqualTo(DeploymentStatus.ENDED);
        assertThatThrownBy(() -> registry.cancel("life-1", "insp-1", "x")).hasMessageContaining("is ENDED");

        List<AuditRecord> mine = new AuditTrail(bs, clock).read().stream().map(AuditTrail.Entry::record)
                .filter(r -> "life-1".equals(r.getDeployment()) || "wl-life".equals(r.getWatchlist())).toList();
        assertThat(mine).extracting(AuditRecord::getAction).containsExactly(AuditAction.DEPLOYMENT_CREATED,
                AuditAction.SUBJECT_ENROLLED, AuditAction.SUBJECT_ENROLLED, AuditAction.DEPLOYMENT_ACTIVATED, AuditAction.DEPLOYMENT_ENDED);
        assertThat(mine.get(0).getWhy()).isEqualTo("serious violence hot spot, briefing 12");
        assertThat(mine.get(3).getActor()).isEqualTo("insp-1");
        assertThat(new AuditTrail(bs, clock).verify().intact()).isTrue();
    }

    /**
     * Before, the second enrolment took its host's clock as its version, and the job ignored it as older. Two minutes
     * behind is within the skew the job allows (input.max-clock-ahead).
     */
    @Test
    void aReEnrolmentFromAHostWhoseClockIsBehindStillReplacesTheEntry() throws Exception {
        Instant now = Instant.now();
        Watchlists first = watchlists(new MovableClock(now));
        Watchlists.Enrolled one = first.enrol("wl-skew", candidates("dave"), now.plus(Duration.ofDays(1)), "sgt-5", false,
                first.deployments());
        Watchlists behind = watchlists(new MovableClock(now.minus(Duration.ofMinutes(2))));
        Watchlists.Enrolled two = behind.enrol("wl-skew", candidates("dave"), now.plus(Duration.ofDays(1)), "sgt-6", false,
                behind.deployments());
        assertThat(two.version()).isGreaterThan(one.version());
        assertThat(first.current("wl-skew").get("dave").getEnrolledBy()).isEqualTo("sgt-6");
        assertThat(two.aheadOfClock()).isZero();
        // an hour behind, the entries written since look like the future: left out, and said (the CLI warns)
        Watchlists farBehind = watchlists(new MovableClock(now.minus(Duration.ofHours(1))));
        assertThat(farBehind.listing("wl-skew").entries()).isEmpty();
        assertThat(farBehind.listing("wl-skew").aheadOfClock()).isEqualTo(2);
        // removed, then enrolled again from the host behind: past the version the job keeps the deletion at (before,
        // the host's clock: older than the deletion, and ignored by the job)
        first.remove("wl-skew", "dave", "sgt-5", "wrong photo");
        Watchlists.Enrolled three = behind.enrol("wl-skew", candidates("dave"), now.plus(Duration.ofDays(1)), "sgt-6", false,
                behind.deployments());
        assertThat(three.version()).isGreaterThan(two.version());
    }

    @Test
    void aPurgeLeavesNoVectorOnTheTopicAfterCompactionAndNoPhotoInTheStore() throws Exception {
        Clock clock = Clock.systemUTC();
        Watchlists wl = watchlists(clock);
        wl.enrol("wl-purge", candidates("p1", "p2", "p3"), clock.instant().plus(Duration.ofDays(1)), "sgt-2", false, wl.deployments());
        assertThat(vectorsOnTopic("wl-purge")).isEqualTo(3);
        Thread.sleep(200);
        Watchlists.Purged purged = wl.purge("wl-purge", "insp-2", "deployment over, watchlist no longer needed");
        assertThat(purged.entries()).isEqualTo(3);
        assertThat(purged.photos()).isEqualTo(3);
        assertThat(new ReferenceImages(tmp.resolve("images")).subjects("wl-purge")).isEmpty();
        assertThat(wl.current("wl-purge")).isEmpty();

        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (vectorsOnTopic("wl-purge") > 0) { // the cleaner runs on its own schedule; a roll hands it the tombstones
            assertThat(System.nanoTime()).as("vectors still on the topic after 60 s").isLessThan(deadline);
            Thread.sleep(300);
            kafka.produceKeyed(Topics.WATCHLIST, List.of(new ProducerRecord<>(Topics.WATCHLIST,
                    "roll/x".getBytes(StandardCharsets.UTF_8), null)));
        }
    }

    /** Records of a watchlist on the topic, as stored (before the newest value of their key is taken), that hold a vector. */
    static long vectorsOnTopic(String watchlist) {
        return kafka.readAll(Topics.WATCHLIST).stream().filter(r -> r.value() != null
                && new String(r.key(), StandardCharsets.UTF_8).startsWith(watchlist + "/")
                && AvroBytes.decode(r.value(), WatchlistUpdate.class).getVector() != null).count();
    }

    @Test
    void theSweepDeletesExpiredEntriesAndTheCropsOfLongEndedDeployments() throws Exception {
        MovableClock clock = new MovableClock(Instant.now());
        DeploymentRegistry registry = new DeploymentRegistry(bs, POLICY, clock);
        Watchlists wl = watchlists(clock);
        registry.create(request("sweep-1", "wl-sweep", clock.instant()), "test");
        wl.enrol("wl-sweep", candidates("e1"), clock.instant().plus(Duration.ofHours(1)), "sgt-3", false, wl.deployments());
        wl.enrol("wl-sweep", candidates("e2"), clock.instant().plus(Duration.ofHours(3)), "sgt-3", false, wl.deployments());
        registry.activate("sweep-1", true, "insp-3", "go");
        MatchAlert alert = DeploymentReportTest.alert("sweep-a1", "sweep-1", clock.instant());
        kafka.produceKeyed(Topics.ALERTS, List.of(new ProducerRecord<>(Topics.ALERTS, "sweep-a1".getBytes(StandardCharsets.UTF_8),
                AvroBytes.encode(alert))));
        registry.end("sweep-1", "insp-3", "done");

        // an expired entry some other writer put under a key that is not watchlist/subject: the sweep must delete that key
        WatchlistUpdate odd = WatchlistUpdate.newBuilder(wl.current("wl-sweep").get("e1")).setWatchlist("wl-odd").build();
        kafka.produceKeyed(Topics.WATCHLIST, List.of(new ProducerRecord<>(Topics.WATCHLIST,
                "odd-key".getBytes(StandardCharsets.UTF_8), AvroBytes.encode(odd))));

        clock.advance(Duration.ofHours(2));
        RetentionSweep.Swept first = new RetentionSweep(bs, POLICY, wl, clock).run();
        assertThat(first.expired()).extracting(Watchlists.Purged::watchlist).containsExactly("wl-odd", "wl-sweep");
        assertThat(first.expired().get(1)).satisfies(p -> {
            assertThat(p.entries()).isEqualTo(1);
            assertThat(p.photos()).isEqualTo(1);
        });
        assertThat(wl.current("wl-sweep")).containsOnlyKeys("e2");
        assertThat(first.cropsDeleted()).doesNotContainKey("sweep-1"); // ended two hours ago: its crops are kept 31 days

        clock.advance(Duration.ofDays(32));
        RetentionSweep.Swept later = new RetentionSweep(bs, POLICY, wl, clock).run();
        assertThat(later.cropsDeleted()).containsEntry("sweep-1", 1);
        List<ConsumerRecord<byte[], byte[]>> alerts = kafka.readAll(Topics.ALERTS).stream()
                .filter(r -> new String(r.key(), StandardCharsets.UTF_8).equals("sweep-a1")).toList();
        MatchAlert redacted = AvroBytes.decode(alerts.get(alerts.size() - 1).value(), MatchAlert.class);
        assertThat(redacted.getBestCropJpeg().remaining()).isZero();
        assertThat(redacted.getSubject()).isEqualTo(alert.getSubject());
        assertThat(alerts.get(alerts.size() - 1).partition()).isEqualTo(alerts.get(0).partition());
        RetentionSweep.Swept again = new RetentionSweep(bs, POLICY, wl, clock).run();
        assertThat(again.cropsDeleted()).isEmpty(); // nothing twice
        assertThat(again.expired()).isEmpty();
        List<AuditAction> actions = new AuditTrail(bs, clock).read().stream().map(AuditTrail.Entry::record)
                .filter(r -> "sweep-1".equals(r.getDeployment()) || "wl-sweep".equals(r.getWatchlist()))
                .map(AuditRecord::getAction).toList();
        assertThat(actions).contains(AuditAction.SUBJECTS_EXPIRED, AuditAction.CROPS_DELETED);
    }

    @Test
    void withTwoPersonVerificationAConfirmationIsWrittenOnlyWhenASecondOfficerAgrees() throws Exception {
        Clock clock = Clock.systemUTC();
        activeDeployment(clock, "verify-2p", "wl-2p");
        kafka.produceKeyed(Topics.ALERTS, List.of(new ProducerRecord<>(Topics.ALERTS, "2p-a1".getBytes(StandardCharsets.UTF_8),
                AvroBytes.encode(DeploymentReportTest.alert("2p-a1", "verify-2p", clock.instant())))));
        Adjudications adjudications = new Adjudications(bs, POLICY, clock);
        assertThat(adjudications.decide("2p-a1", Verdict.CONFIRMED, "pc-1", "same scar").written()).isFalse();
        assertThat(adjudications.decide("2p-a1", Verdict.CONFIRMED, "pc-1", "still sure").written()).isFalse();
        assertThat(verdictsOf("2p-a1")).isEmpty();
        assertThat(adjudications.decide("2p-a1", Verdict.CONFIRMED, "pc-2", "agree").written()).isTrue();
        assertThat(verdictsOf("2p-a1")).containsExactly(Verdict.CONFIRMED);
        assertThatThrownBy(() -> adjudications.decide("nope", Verdict.FALSE_ALERT, "pc-1", "x")).hasMessageContaining("no alert nope");
    }

    static List<Verdict> verdictsOf(String alertId) {
        return kafka.readAll(Topics.ADJUDICATIONS).stream().map(r -> AvroBytes.decode(r.value(), Adjudication.class))
                .filter(a -> a.getAlertId().equals(alertId)).map(Adjudication::getVerdict).toList();
    }

    @Test
    void theReportsCountsEqualThoseComputedFromTheTopics() throws Exception {
        Clock clock = Clock.systemUTC();
        DeploymentRegistry registry = activeDeployment(clock, "report-1", "wl-report");
        Random random = new Random(7);
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            String dep = i % 4 == 0 ? "someone-else" : "report-1";
            MatchAlert a = DeploymentReportTest.alert("rep-" + i, dep, clock.instant().minusMillis(random.nextInt(2000)));
            records.add(new ProducerRecord<>(Topics.ALERTS, a.getAlertId().getBytes(StandardCharsets.UTF_8), AvroBytes.encode(a)));
        }
        kafka.produceKeyed(Topics.ALERTS, records);
        for (int m = 0; m < 5; m++) {
            kafka.produceKeyed(Topics.METRICS, List.of(new ProducerRecord<>(Topics.METRICS, ("report-1/" + m).getBytes(StandardCharsets.UTF_8),
                    AvroBytes.encode(DeploymentReportTest.window("report-1", null, m, 100 + random.nextInt(50), random.nextInt(9))))));
        }
        // a decision timed a year ahead (a wrong clock, or forged), written before the officer's own: the one written
        // last is the verdict, as compaction by alert id will keep it
        Adjudication ahead = Adjudication.newBuilder().setAlertId("rep-7").setVerdict(Verdict.CONFIRMED).setOfficer("pc-x")
                .setTime(clock.instant().plus(Duration.ofDays(365))).build();
        kafka.produceKeyed(Topics.ADJUDICATIONS, List.of(new ProducerRecord<>(Topics.ADJUDICATIONS,
                "rep-7".getBytes(StandardCharsets.UTF_8), AvroBytes.encode(ahead))));
        Adjudications adjudications = new Adjudications(bs, POLICY, clock);
        Verdict[] kinds = {Verdict.CONFIRMED, Verdict.FALSE_ALERT, Verdict.NO_ACTION};
        for (int i = 1; i < 40; i += 6) { // alerts 1, 7, 13, ...: all of this deployment
            adjudications.decide("rep-" + i, kinds[i / 6 % 3], "pc-" + i, "looked");
        }
        registry.end("report-1", "insp-5", "done");

        DeploymentReport report = ReportSources.read(bs, registry.get("report-1"));
        // the same numbers, straight from the topics
        Map<String, Verdict> verdicts = new HashMap<>();
        kafka.readAll(Topics.ADJUDICATIONS).forEach(r -> {
            Adjudication a = AvroBytes.decode(r.value(), Adjudication.class);
            verdicts.put(a.getAlertId(), a.getVerdict());
        });
        assertThat(verdicts).containsEntry("rep-7", Verdict.FALSE_ALERT);
        List<String> ids = kafka.readAll(Topics.ALERTS).stream().map(r -> AvroBytes.decode(r.value(), MatchAlert.class))
                .filter(a -> a.getDeployment().equals("report-1")).map(MatchAlert::getAlertId).distinct().toList();
        long faces = kafka.readAll(Topics.METRICS).stream().map(r -> AvroBytes.decode(r.value(), DeploymentMetrics.class))
                .filter(m -> m.getDeployment().equals("report-1")).mapToLong(DeploymentMetrics::getFacesSearched).sum();
        long confirmed = ids.stream().filter(id -> verdicts.get(id) == Verdict.CONFIRMED).count();
        long falseAlerts = ids.stream().filter(id -> verdicts.get(id) == Verdict.FALSE_ALERT).count();
        assertThat(report.alerts()).isEqualTo(ids.size()).isEqualTo(30);
        assertThat(report.facesSearched()).isEqualTo(faces);
        assertThat((long) report.confirmed()).isEqualTo(confirmed);
        assertThat((long) report.falseAlerts()).isEqualTo(falseAlerts).isPositive();
        assertThat(report.falseAlertRatePerFace()).isEqualTo((double) falseAlerts / faces);
        assertThat(report.alertLatencies()).hasSize(30).allSatisfy(l -> assertThat(l).isPositive());
    }
}
