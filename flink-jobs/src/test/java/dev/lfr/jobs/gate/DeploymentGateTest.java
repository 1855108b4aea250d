package dev.lfr.jobs.gate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lfr.jobs.Records;
import dev.lfr.jobs.deadletter.DeadLetters;
import dev.lfr.jobs.deadletter.Provenance;
import dev.lfr.jobs.ingest.ControlRecord;
import dev.lfr.jobs.ingest.ControlTopic;
import dev.lfr.schemas.DeadLetter;
import dev.lfr.schemas.DeadLetterReason;
import dev.lfr.schemas.Deployment;
import dev.lfr.schemas.DeploymentStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.BroadcastOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DeploymentGateTest {
    private BroadcastOperatorTestHarness<dev.lfr.jobs.ingest.SourcedFrame, ControlRecord<Deployment>, GatedFrame> harness;

    @BeforeEach
    void open() throws Exception {
        harness = ProcessFunctionTestHarnesses.forBroadcastProcessFunction(new DeploymentGate(), DeploymentGate.DEPLOYMENTS);
        harness.processBroadcastElement(Records.control(ControlTopic.DEPLOYMENTS, Records.deployment("d1", List.of("c1", "c2"), 100, 200, DeploymentStatus.ACTIVE)), 0);
        harness.processBroadcastElement(Records.control(ControlTopic.DEPLOYMENTS, Records.deployment("d2", List.of("c9"), 100, 200, DeploymentStatus.PLANNED)), 0);
    }

    private static BroadcastOperatorTestHarness<dev.lfr.jobs.ingest.SourcedFrame, ControlRecord<Deployment>, GatedFrame>
            gateWithSnapshot(Deployment atStartup) throws Exception {
        return ProcessFunctionTestHarnesses.forBroadcastProcessFunction(new DeploymentGate(dev.lfr.jobs.ingest.StartupRead.of(List.of(atStartup))),
                DeploymentGate.DEPLOYMENTS);
    }

    private List<DeadLetter> deadLetters() {
        var q = harness.getSideOutput(DeadLetters.TAG);
        return q == null ? List.of() : q.stream().map(StreamRecord::getValue).toList();
    }

    @Test
    void onlyFramesOfAnActiveDeploymentInsideItsWindowPass() throws Exception {
        harness.processElement(Records.sourced("c1", 150), 150);
        harness.processElement(Records.sourced("c2", 100), 100);
        harness.processElement(Records.sourced("c1", 200), 200); // the end is exclusive
        harness.processElement(Records.sourced("c1", 99), 99);
        harness.processElement(Records.sourced("c9", 150), 150); // listed, but only PLANNED
        harness.processElement(Records.sourced("c7", 150), 150); // in no deployment
        List<GatedFrame> passed = harness.extractOutputValues();
        assertThat(passed).extracting(g -> g.frame().getCamera()).containsExactly("c1", "c2");
        assertThat(passed).allSatisfy(g -> {
            assertThat(g.deployment()).isEqualTo("d1");
            assertThat(g.watchlist()).isEqualTo("wl-d1");
            assertThat(g.threshold()).isEqualTo(0.5f);
        });
        assertThat(deadLetters()).extracting(DeadLetter::getCamera, DeadLetter::getReason).containsExactly(
                org.assertj.core.groups.Tuple.tuple("c1", DeadLetterReason.OUTSIDE_DEPLOYMENT),
                org.assertj.core.groups.Tuple.tuple("c1", DeadLetterReason.OUTSIDE_DEPLOYMENT),
                org.assertj.core.groups.Tuple.tuple("c9", DeadLetterReason.OUTSIDE_DEPLOYMENT),
                org.assertj.core.groups.Tuple.tuple("c7", DeadLetterReason.UNKNOWN_CAMERA));
    }

    @Test
    void whenTwoActiveDeploymentsCoverACameraTheOneThatStartedLastTakesItsFrames() throws Exception {
        // added in both orders: the choice must not depend on the broadcast map's order, which a restore rebuilds
        for (String[] order : new String[][] {{"d0", "d3"}, {"d3", "d0"}}) {
            open();
            for (String id : order) {
                long start = id.equals("d3") ? 120 : 50;
                harness.processBroadcastElement(Records.control(ControlTopic.DEPLOYMENTS, Records.deployment(id, List.of("c1"), start, 300, DeploymentStatus.ACTIVE)), 0);
            }
            harness.processElement(Records.sourced("c1", 110), 110); // d1 (from 100) started last of d0 and d1
            harness.processElement(Records.sourced("c1", 150), 150); // d3 (from 120) started last
            assertThat(harness.extractOutputValues()).extracting(GatedFrame::deployment).containsExactly("d1", "d3");
        }
    }

    @Test
    void aCancelledDeploymentStopsFramesAtOnce() throws Exception {
        harness.processBroadcastElement(Records.control(ControlTopic.DEPLOYMENTS, Records.deployment("d1", List.of("c1", "c2"), 100, 200, DeploymentStatus.CANCELLED)), 0);
        harness.processElement(Records.sourced("c1", 150), 150);
        assertThat(harness.extractOutputValues()).isEmpty();
        assertThat(deadLetters()).extracting(DeadLetter::getReason).containsExactly(DeadLetterReason.OUTSIDE_DEPLOYMENT);
    }

    @Test
    void longEndedDeploymentsLeaveTheBroadcastState() throws Exception {
        long later = 200 + DeploymentGate.RETENTION.toMillis() + Duration.ofHours(1).toMillis();
        harness.processBroadcastElement(Records.control(ControlTopic.DEPLOYMENTS, Records.deployment("d3", List.of("c1"), later, later + 100, DeploymentStatus.ACTIVE)), 0);
        List<String> ids = new ArrayList<>();
        for (Map.Entry<String, Deployment> e : harness.getBroadcastState(DeploymentGate.DEPLOYMENTS).entries()) {
            ids.add(e.getKey());
        }
        assertThat(ids).containsExactly("d3");
        harness.processElement(Records.sourced("c1", later + 50), later + 50);
        assertThat(harness.extractOutputValues()).singleElement().satisfies(g -> assertThat(g.deployment()).isEqualTo("d3"));
    }

    @Test
    void theSnapshotAtSubmissionCoversFramesUntilTheTopicSaysOtherwise() throws Exception {
        Deployment active = Records.deployment("d5", List.of("c5"), 100, 200, DeploymentStatus.ACTIVE);
        try (BroadcastOperatorTestHarness<dev.lfr.jobs.ingest.SourcedFrame, ControlRecord<Deployment>, GatedFrame> fresh =
                     gateWithSnapshot(active)) {
            fresh.processElement(Records.sourced("c5", 150), 150); // nothing read from the topic yet
            assertThat(fresh.extractOutputValues()).extracting(GatedFrame::deployment).containsExactly("d5");
            // the topic's newer record of the same deployment replaces the snapshot's
            fresh.processBroadcastElement(Records.control(ControlTopic.DEPLOYMENTS, Records.deployment("d5", List.of("c5"), 100, 200, DeploymentStatus.CANCELLED)), 0);
            fresh.processElement(Records.sourced("c5", 160), 160);
            assertThat(fresh.extractOutputValues()).hasSize(1);
            assertThat(fresh.getSideOutput(DeadLetters.TAG)).extracting(r -> r.getValue().getReason())
                    .containsExactly(DeadLetterReason.OUTSIDE_DEPLOYMENT);
        }
    }

    @Test
    void aTombstoneEndsTheDeploymentEvenWhereTheSnapshotHasIt() throws Exception {
        Deployment active = Records.deployment("d5", List.of("c5"), 100, 200, DeploymentStatus.ACTIVE);
        try (BroadcastOperatorTestHarness<dev.lfr.jobs.ingest.SourcedFrame, ControlRecord<Deployment>, GatedFrame> fresh =
                     gateWithSnapshot(active)) {
            fresh.processBroadcastElement(new ControlRecord<>(new Provenance("lfr.deployments", 0, 3), "d5", null), 0);
            fresh.processElement(Records.sourced("c5", 150), 150);
            assertThat(fresh.extractOutputValues()).isEmpty();
            assertThat(fresh.getSideOutput(DeadLetters.TAG)).extracting(r -> r.getValue().getReason())
                    .containsExactly(DeadLetterReason.OUTSIDE_DEPLOYMENT);
        }
        // a tombstone of a deployment nobody knows leaves nothing behind
        harness.processBroadcastElement(new ControlRecord<>(new Provenance("lfr.deployments", 0, 4), "d404", null), 0);
        assertThat(harness.getBroadcastState(DeploymentGate.DEPLOYMENTS).contains("d404")).isFalse();
    }
}
