package dev.lfr.jobs.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lfr.jobs.Records;
import dev.lfr.jobs.deadletter.DeadLetters;
import dev.lfr.jobs.deadletter.Provenance;
import dev.lfr.schemas.Adjudication;
import dev.lfr.schemas.DeadLetter;
import dev.lfr.schemas.DeadLetterReason;
import dev.lfr.schemas.Deployment;
import dev.lfr.schemas.DeploymentStatus;
import dev.lfr.schemas.Verdict;
import dev.lfr.schemas.WatchlistOp;
import dev.lfr.schemas.WatchlistUpdate;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

/** Every field of every control record is checked where it is decoded; tombstones pass as deletions. */
class DecodeControlRecordsTest {
    private static final InputRules RULES = DecodeFrameRecordsTest.RULES;
    private static final Provenance AT = new Provenance("lfr.control", 0, 5);

    private record Outcome<T>(List<ControlRecord<T>> passed, List<DeadLetter> deadLetters) {}

    /** Runs raw (key, value) records through the decoding operator of {@code topic}. */
    private static <T extends SpecificRecord> Outcome<T> decode(ControlTopic<T> topic, List<byte[][]> records)
            throws Exception {
        try (OneInputStreamOperatorTestHarness<RawRecord, ControlRecord<T>> h =
                     ProcessFunctionTestHarnesses.forProcessFunction(new DecodeControlRecords<>(topic, RULES))) {
            h.setProcessingTime(System.currentTimeMillis());
            for (byte[][] kv : records) {
                h.processElement(new RawRecord(AT, kv[0], kv[1], 0), 0);
            }
            var side = h.getSideOutput(DeadLetters.TAG);
            return new Outcome<>(h.extractOutputValues(),
                    side == null ? List.of() : side.stream().map(StreamRecord::getValue).toList());
        }
    }

    private static byte[][] kv(String key, SpecificRecord value) {
        return new byte[][] {key == null ? null : key.getBytes(StandardCharsets.UTF_8),
                value == null ? null : Records.avro(value)};
    }

    private static Deployment deployment() {
        return Records.deployment("d1", List.of("cam-1"), 0, 3_600_000, DeploymentStatus.ACTIVE);
    }

    @Test
    void deploymentsThatCouldAdmitTheWrongFramesOrAlertOnAnyoneAreRefused() throws Exception {
        Deployment ok = deployment();
        List<Deployment> bad = List.of(
                Deployment.newBuilder(ok).setThreshold(Float.NaN).build(),
                Deployment.newBuilder(ok).setThreshold(Float.POSITIVE_INFINITY).build(),
                Deployment.newBuilder(ok).setThreshold(0.05f).build(),   // below the configured floor
                Deployment.newBuilder(ok).setThreshold(1.5f).build(),
                Deployment.newBuilder(ok).setCameras(List.of()).build(),
                Deployment.newBuilder(ok).setCameras(List.of("cam-1", "")).build(),
                Deployment.newBuilder(ok).setEnd(ok.getStart()).build(),
                Deployment.newBuilder(ok).setEnd(ok.getStart().plus(Duration.ofDays(30))).build(),
                Deployment.newBuilder(ok).setStatus(DeploymentStatus.UNKNOWN).build(),
                Deployment.newBuilder(ok).setWatchlist("a/b").build(),
                Deployment.newBuilder(ok).setId(" ").build(),
                Deployment.newBuilder(ok).setAuthorisedBy(null).build(),   // active, but nobody authorised it
                Deployment.newBuilder(ok).setSignageConfirmed(false).build(),
                Deployment.newBuilder(ok).setPurpose("x".repeat(InputRules.MAX_TEXT + 1)).build(),
                Deployment.newBuilder(ok).setLocation(new dev.lfr.schemas.DeploymentLocation("Oxford Circus", Double.NaN, 0.0)).build(),
                Deployment.newBuilder(ok).setLocation(new dev.lfr.schemas.DeploymentLocation("Oxford Circus", 51.5, 200.0)).build());
        List<byte[][]> in = new ArrayList<>();
        bad.forEach(d -> in.add(kv(null, d)));
        in.add(kv("d1", ok));
        in.add(kv("d2", ok)); // published under another deployment's key
        Outcome<Deployment> out = decode(ControlTopic.DEPLOYMENTS, in);
        assertThat(out.passed()).extracting(ControlRecord::value).containsExactly(ok);
        assertThat(out.deadLetters()).hasSize(bad.size() + 1).allSatisfy(d -> {
            assertThat(d.getReason()).isEqualTo(DeadLetterReason.INVALID_RECORD);
            assertThat(d.getSourceOffset()).isEqualTo(5);
        });
    }

    @Test
    void tombstonesPassAsDeletionsOfTheirKeyWhereTheTopicIsCompacted() throws Exception {
        Outcome<Deployment> deployments = decode(ControlTopic.DEPLOYMENTS, List.of(kv("d1", null), kv(null, null)));
        assertThat(deployments.passed()).singleElement().satisfies(r -> {
            assertThat(r.key()).isEqualTo("d1");
            assertThat(r.isTombstone()).isTrue();
        });
        assertThat(deployments.deadLetters()).extracting(DeadLetter::getDetail)
                .containsExactly("a tombstone without a key deletes nothing");
        Outcome<Adjudication> adjudications = decode(ControlTopic.ADJUDICATIONS, List.<byte[][]>of(kv("x", null)));
        assertThat(adjudications.passed()).isEmpty();
        assertThat(adjudications.deadLetters()).extracting(DeadLetter::getReason, DeadLetter::getDetail)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(DeadLetterReason.INVALID_RECORD,
                        "a tombstone withdraws nothing here: write the corrected record instead"));
    }

    @Test
    void watchlistUpdatesOfAnotherModelOrShapeOrWithNonFiniteValuesAreRefused() throws Exception {
        List<Float> unit = new ArrayList<>(Collections.nCopies(512, 0f));
        unit.set(0, 1f);
        WatchlistUpdate ok = WatchlistUpdate.newBuilder().setWatchlist("wl").setSubject("s").setVersion(1)
                .setOp(WatchlistOp.UPSERT).setEmbeddingModel(RULES.embeddingModel()).setVector(unit).build();
        List<Float> nan = new ArrayList<>(unit);
        nan.set(7, Float.NaN);
        Outcome<WatchlistUpdate> out = decode(ControlTopic.WATCHLIST, List.of(
                kv("wl/s", WatchlistUpdate.newBuilder(ok).setVector(List.of(1f, 2f)).build()),
                kv("wl/s", WatchlistUpdate.newBuilder(ok).setVector(nan).build()),
                kv("wl/s", WatchlistUpdate.newBuilder(ok).setEmbeddingModel("dlib-resnet-128").build()),
                kv("wl/s", WatchlistUpdate.newBuilder(ok).setVector(Collections.nCopies(512, 0f)).build()),
                kv("wl/s", WatchlistUpdate.newBuilder(ok).setOp(WatchlistOp.UNKNOWN).build()),
                kv("wl/s", WatchlistUpdate.newBuilder(ok).setVersion(-1).build()),
                // a version no later update could pass: it would hold the subject for ever
                kv("wl/s", WatchlistUpdate.newBuilder(ok).setVersion(Long.MAX_VALUE).build()),
                kv("wl/s", WatchlistUpdate.newBuilder(ok).setVersion(System.currentTimeMillis() * 1000).build()),
                kv("wl/t", ok),
                kv("wl/s", ok),
                kv("wl/s", WatchlistUpdate.newBuilder(ok).setVersion(System.currentTimeMillis()).build()),
                kv("wl/s", WatchlistUpdate.newBuilder(ok).setOp(WatchlistOp.DELETE).setVector(null).setVersion(2).build())));
        assertThat(out.deadLetters()).extracting(DeadLetter::getReason).containsExactly(
                DeadLetterReason.WRONG_DIMENSION, DeadLetterReason.NON_FINITE_VECTOR, DeadLetterReason.WRONG_MODEL,
                DeadLetterReason.INVALID_RECORD, DeadLetterReason.INVALID_RECORD, DeadLetterReason.INVALID_RECORD,
                DeadLetterReason.CLOCK_SKEW, DeadLetterReason.CLOCK_SKEW, DeadLetterReason.INVALID_RECORD);
        assertThat(out.passed()).extracting(r -> r.value().getOp())
                .containsExactly(WatchlistOp.UPSERT, WatchlistOp.UPSERT, WatchlistOp.DELETE);
    }

    @Test
    void adjudicationsNeedAKnownVerdictAndAPlausibleTime() throws Exception {
        Adjudication ok = Adjudication.newBuilder().setAlertId("a1").setVerdict(Verdict.CONFIRMED).setOfficer("pc-1")
                .setTime(Instant.now()).build();
        Outcome<Adjudication> out = decode(ControlTopic.ADJUDICATIONS, List.of(
                kv(null, Adjudication.newBuilder(ok).setVerdict(Verdict.UNKNOWN).build()),
                kv(null, Adjudication.newBuilder(ok).setOfficer("").build()),
                kv(null, Adjudication.newBuilder(ok).setTime(Instant.now().plus(Duration.ofDays(400))).build()),
                kv(null, ok)));
        assertThat(out.passed()).extracting(ControlRecord::value).containsExactly(ok);
        assertThat(out.deadLetters()).extracting(DeadLetter::getReason).containsExactly(DeadLetterReason.INVALID_RECORD,
                DeadLetterReason.INVALID_RECORD, DeadLetterReason.CLOCK_SKEW);
    }

    @Test
    void garbageAndOtherSchemasAreUndecodable() throws Exception {
        Outcome<Deployment> out = decode(ControlTopic.DEPLOYMENTS, List.<byte[][]>of(new byte[][] {null, {1, 2, 3}},
                new byte[][] {null, new byte[0]}, kv(null, Records.frame("cam-1", 0, new byte[] {1}))));
        assertThat(out.passed()).isEmpty();
        assertThat(out.deadLetters()).extracting(DeadLetter::getReason).containsOnly(DeadLetterReason.UNDECODABLE_RECORD)
                .hasSize(3);
    }
}
