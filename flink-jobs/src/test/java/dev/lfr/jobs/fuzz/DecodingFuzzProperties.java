package dev.lfr.jobs.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lfr.jobs.LiveMatchJob;
import dev.lfr.jobs.deadletter.DeadLetters;
import dev.lfr.jobs.gate.DeploymentGate;
import dev.lfr.jobs.gate.GatedFrame;
import dev.lfr.jobs.ingest.ControlRecord;
import dev.lfr.jobs.ingest.ControlTopic;
import dev.lfr.jobs.ingest.DecodeControlRecords;
import dev.lfr.jobs.ingest.DecodeFrameRecords;
import dev.lfr.jobs.ingest.InputRules;
import dev.lfr.jobs.ingest.RawRecord;
import dev.lfr.jobs.ingest.SourcedFrame;
import dev.lfr.schemas.DeadLetter;
import dev.lfr.schemas.DeadLetterReason;
import dev.lfr.schemas.Deployment;
import dev.lfr.schemas.DeploymentStatus;
import dev.lfr.schemas.FrameEvent;
import dev.lfr.schemas.Verdict;
import dev.lfr.schemas.WatchlistOp;
import dev.lfr.schemas.WatchlistUpdate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.BroadcastOperatorTestHarness;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;

/**
 * Hostile input against the decoding operators and the gate in harnesses: whatever comes in, nothing throws, every
 * record is either passed on or dead-lettered with a reason (count in = count out + dead letters), and what is
 * passed on satisfies every rule the later stages rely on, checked here independently of {@link InputRules}.
 */
class DecodingFuzzProperties {
    private static final InputRules RULES = LiveMatchJob.Config.defaults().input();
    private static final long NOW = System.currentTimeMillis();
    private static final long HOUR = 3_600_000L;
    private static final dev.lfr.jobs.deadletter.Provenance AT = new dev.lfr.jobs.deadletter.Provenance("lfr.deployments", 0, 0);
    private static final HostileRecords HOSTILE = new HostileRecords(Instant.ofEpochMilli(NOW),
            List.of(new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xE0, 1, 2}, new byte[] {(byte) 0x89, 'P', 'N', 'G'}),
            RULES.embeddingModel(), RULES.dimension());

    private record Outcome<T>(List<RawRecord> in, List<T> passed, List<DeadLetter> deadLetters) {}

    private static <T> Outcome<T> run(ProcessFunction<RawRecord, T> function, List<RawRecord> in) throws Exception {
        try (OneInputStreamOperatorTestHarness<RawRecord, T> h = ProcessFunctionTestHarnesses.forProcessFunction(function)) {
            h.setProcessingTime(NOW);
            for (RawRecord r : in) {
                h.processElement(r, 0);
            }
            var side = h.getSideOutput(DeadLetters.TAG);
            Outcome<T> out = new Outcome<>(in, h.extractOutputValues(),
                    side == null ? List.of() : side.stream().map(StreamRecord::getValue).toList());
            // the generators must reach both sides, or the properties would hold vacuously
            Statistics.label("some passed").collect(!out.passed().isEmpty());
            Statistics.label("some refused").collect(!out.deadLetters().isEmpty());
            assertThat(out.passed().size() + out.deadLetters().size()).as("count in = count out + dead letters")
                    .isEqualTo(in.size());
            assertThat(out.deadLetters()).allSatisfy(d -> {
                assertThat(d.getReason()).isNotNull().isNotEqualTo(DeadLetterReason.UNKNOWN);
                assertThat(d.getDetail().length()).isLessThanOrEqualTo(500);
                assertThat(d.getSourceTopic()).isEqualTo(in.get(0).source().topic());
            });
            return out;
        }
    }

    @Provide
    Arbitrary<List<RawRecord>> frameRecords() {
        return HOSTILE.frameRecords().list().ofMinSize(1).ofMaxSize(25);
    }

    @Provide
    Arbitrary<List<RawRecord>> deploymentRecords() {
        return HOSTILE.deploymentRecords().list().ofMinSize(1).ofMaxSize(25);
    }

    @Provide
    Arbitrary<List<RawRecord>> watchlistRecords() {
        return HOSTILE.watchlistRecords().list().ofMinSize(1).ofMaxSize(25);
    }

    @Provide
    Arbitrary<List<RawRecord>> adjudicationRecords() {
        return HOSTILE.adjudicationRecords().list().ofMinSize(1).ofMaxSize(25);
    }

    @Property(tries = 300)
    void framesPassedOnAreWellFormedAndInTheJobsTime(@ForAll("frameRecords") List<RawRecord> in) throws Exception {
        Outcome<SourcedFrame> out = run(new DecodeFrameRecords(RULES), in);
        assertThat(out.passed()).allSatisfy(s -> {
            FrameEvent f = s.frame();
            assertThat(f.getCamera()).isNotBlank().hasSizeLessThanOrEqualTo(InputRules.MAX_ID);
            assertThat(f.getWidth()).isBetween(1, InputRules.MAX_SIDE);
            assertThat(f.getHeight()).isBetween(1, InputRules.MAX_SIDE);
            assertThat(f.getImage().remaining()).isPositive();
            long t = f.getCaptureTime().toEpochMilli();
            assertThat(t).isBetween(NOW - RULES.maxAge().toMillis(), NOW + RULES.maxClockAhead().toMillis());
        });
        Statistics.label("some passed").coverage(c -> c.check(true).percentage(p -> p > 20));
        Statistics.label("some refused").coverage(c -> c.check(true).percentage(p -> p > 20));
    }

    @Property(tries = 300)
    void deploymentsPassedOnCannotAlertOnAnyone(@ForAll("deploymentRecords") List<RawRecord> in) throws Exception {
        Outcome<ControlRecord<Deployment>> out = run(new DecodeControlRecords<>(ControlTopic.DEPLOYMENTS, RULES), in);
        assertThat(out.passed()).allSatisfy(r -> {
            assertThat(r.key()).isNotEmpty();
            if (!r.isTombstone()) {
                Deployment d = r.value();
                assertThat(Float.isFinite(d.getThreshold())).isTrue();
                assertThat(d.getThreshold()).isBetween(RULES.minThreshold(), 1f);
                assertThat(d.getStart()).isBefore(d.getEnd());
                assertThat(d.getCameras()).isNotEmpty().allSatisfy(c -> assertThat(c).isNotBlank());
                assertThat(d.getStatus()).isNotEqualTo(DeploymentStatus.UNKNOWN);
                assertThat(r.key()).isEqualTo(d.getId());
            }
        });
        Statistics.label("some passed").coverage(c -> c.check(true).percentage(p -> p > 20));
        Statistics.label("some refused").coverage(c -> c.check(true).percentage(p -> p > 20));
    }

    @Property(tries = 300)
    void watchlistUpdatesPassedOnFitTheIndex(@ForAll("watchlistRecords") List<RawRecord> in) throws Exception {
        Outcome<ControlRecord<WatchlistUpdate>> out = run(new DecodeControlRecords<>(ControlTopic.WATCHLIST, RULES), in);
        assertThat(out.passed()).allSatisfy(r -> {
            if (!r.isTombstone() && r.value().getOp() == WatchlistOp.UPSERT) {
                assertThat(r.value().getEmbeddingModel()).isEqualTo(RULES.embeddingModel());
                assertThat(r.value().getVector()).hasSize(RULES.dimension()).allSatisfy(x -> assertThat(Float.isFinite(x)).isTrue());
                assertThat(r.value().getWatchlist()).doesNotContain("/");
            }
            assertThat(r.value() == null || r.value().getOp() != WatchlistOp.UNKNOWN).isTrue();
            // a version ahead of the clock would hold its subject against every later update
            assertThat(r.value() == null ? 0 : r.value().getVersion()).isBetween(0L, NOW + RULES.maxClockAhead().toMillis());
        });
        Statistics.label("some passed").coverage(c -> c.check(true).percentage(p -> p > 20));
        Statistics.label("some refused").coverage(c -> c.check(true).percentage(p -> p > 20));
    }

    @Property(tries = 300)
    void adjudicationsPassedOnHaveAVerdictAndAPlausibleTime(@ForAll("adjudicationRecords") List<RawRecord> in)
            throws Exception {
        Outcome<ControlRecord<dev.lfr.schemas.Adjudication>> out =
                run(new DecodeControlRecords<>(ControlTopic.ADJUDICATIONS, RULES), in);
        assertThat(out.passed()).allSatisfy(r -> {
            assertThat(r.value()).isNotNull();
            assertThat(r.value().getVerdict()).isNotEqualTo(Verdict.UNKNOWN);
            assertThat(r.value().getTime().toEpochMilli())
                    .isBetween(NOW - RULES.maxAge().toMillis(), NOW + RULES.maxClockAhead().toMillis());
        });
        Statistics.label("some passed").coverage(c -> c.check(true).percentage(p -> p > 20));
        Statistics.label("some refused").coverage(c -> c.check(true).percentage(p -> p > 20));
    }

    @Provide
    Arbitrary<List<ControlRecord<Deployment>>> deploymentScripts() {
        Arbitrary<ControlRecord<Deployment>> deployment = Combinators.combine(Arbitraries.of("d1", "d2", "d3"),
                Arbitraries.of("c1", "c2", "c3").set().ofMinSize(1), Arbitraries.longs().between(-3 * HOUR, 0),
                Arbitraries.longs().between(60_000, 4 * HOUR), Arbitraries.floats().between(RULES.minThreshold(), 1),
                Arbitraries.frequency(net.jqwik.api.Tuple.of(3, DeploymentStatus.ACTIVE),
                        net.jqwik.api.Tuple.of(1, DeploymentStatus.PLANNED), net.jqwik.api.Tuple.of(1, DeploymentStatus.ENDED),
                        net.jqwik.api.Tuple.of(1, DeploymentStatus.CANCELLED)))
                .as((id, cameras, start, length, threshold, status) -> new ControlRecord<>(AT, id,
                        Deployment.newBuilder().setId(id).setCameras(List.copyOf(cameras))
                                .setStart(Instant.ofEpochMilli(NOW + start)).setEnd(Instant.ofEpochMilli(NOW + start + length))
                                .setWatchlist("wl").setThreshold(threshold).setStatus(status)
                                .setAuthorisedBy("supt-1").setSignageConfirmed(true).build()));
        Arbitrary<ControlRecord<Deployment>> tombstone = Arbitraries.of("d1", "d2", "d3", "d9")
                .map(id -> new ControlRecord<>(AT, id, null));
        return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(5, deployment), net.jqwik.api.Tuple.of(1, tombstone))
                .list().ofMinSize(1).ofMaxSize(8);
    }

    @Provide
    Arbitrary<List<SourcedFrame>> gatedFrames() {
        return Combinators.combine(Arbitraries.of("c1", "c2", "c3", "c4"), Arbitraries.longs().between(-3 * HOUR, 60_000))
                .as((camera, t) -> new SourcedFrame(AT, FrameEvent.newBuilder().setCamera(camera).setSequence(0)
                        .setCaptureTime(Instant.ofEpochMilli(NOW + t)).setWidth(64).setHeight(64)
                        .setEncoding(dev.lfr.schemas.ImageEncoding.JPEG)
                        .setImage(java.nio.ByteBuffer.wrap(new byte[] {1})).build()))
                .list().ofMinSize(5).ofMaxSize(30);
    }

    /**
     * Whatever deployments and tombstones the gate has seen, a frame passes exactly when the latest record of some
     * deployment id is ACTIVE, lists the frame's camera, and its window holds the capture time.
     */
    @Property(tries = 300)
    void theGateAdmitsExactlyTheFramesAnActiveDeploymentCovers(
            @ForAll("deploymentScripts") List<ControlRecord<Deployment>> deployments,
            @ForAll("gatedFrames") List<SourcedFrame> frames) throws Exception {
        Map<String, Deployment> latest = new LinkedHashMap<>();
        try (BroadcastOperatorTestHarness<SourcedFrame, ControlRecord<Deployment>, GatedFrame> gate =
                     ProcessFunctionTestHarnesses.forBroadcastProcessFunction(new DeploymentGate(), DeploymentGate.DEPLOYMENTS)) {
            for (ControlRecord<Deployment> d : deployments) {
                gate.processBroadcastElement(d, 0);
                if (d.isTombstone()) {
                    latest.remove(d.key());
                } else {
                    latest.put(d.key(), d.value());
                }
            }
            List<String> expected = new ArrayList<>();
            for (SourcedFrame f : frames) {
                gate.processElement(f, 0);
                long t = f.frame().getCaptureTime().toEpochMilli();
                if (latest.values().stream().anyMatch(d -> d.getStatus() == DeploymentStatus.ACTIVE
                        && d.getCameras().contains(f.frame().getCamera())
                        && d.getStart().toEpochMilli() <= t && t < d.getEnd().toEpochMilli())) {
                    expected.add(f.frame().getCamera() + "@" + t);
                }
            }
            assertThat(gate.extractOutputValues()).extracting(g -> g.frame().getCamera() + "@"
                    + g.frame().getCaptureTime().toEpochMilli()).containsExactlyElementsOf(expected);
            assertThat(gate.extractOutputValues()).allSatisfy(g -> assertThat(latest.get(g.deployment()).getThreshold())
                    .isEqualTo(g.threshold()));
            var refused = gate.getSideOutput(DeadLetters.TAG);
            assertThat(expected.size() + (refused == null ? 0 : refused.size())).isEqualTo(frames.size());
            Statistics.label("gate admitted some").collect(!expected.isEmpty());
            Statistics.label("gate admitted some").coverage(c -> c.check(true).percentage(p -> p > 10));
        }
    }
}
