package dev.lfr.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lfr.jobs.alert.AlertDeduplicator;
import dev.lfr.jobs.ingest.RawRecord;
import dev.lfr.jobs.ingest.StartupRead;
import dev.lfr.jobs.ingest.StartupReads;
import dev.lfr.schemas.Adjudication;
import dev.lfr.schemas.DeadLetter;
import dev.lfr.schemas.DeadLetterReason;
import dev.lfr.schemas.Deployment;
import dev.lfr.schemas.DeploymentMetrics;
import dev.lfr.schemas.DeploymentStatus;
import dev.lfr.schemas.MatchAlert;
import dev.lfr.schemas.Verdict;
import dev.lfr.schemas.WatchlistUpdate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The whole pipeline on Flink's MiniCluster with real faces (Kafka wiring is tested separately). */
class LiveMatchJobTest {
    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension();

    @Test
    void aWalkPastOverTwoCamerasIsOneAlertAndBadInputIsDeadLettered() throws Exception {
        Path lfw = dev.lfr.jobs.SharedLfw.dir();
        byte[] colin2 = Files.readAllBytes(lfw.resolve("Colin_Powell/Colin_Powell_0002.jpg"));
        byte[] colin3 = Files.readAllBytes(lfw.resolve("Colin_Powell/Colin_Powell_0003.jpg"));
        byte[] zico = Files.readAllBytes(lfw.resolve("Zico/Zico_0001.jpg"));
        List<RawRecord> frames = List.of(
                Records.raw(Records.avro(Records.frame("cam-1", 1000, colin2))),
                Records.raw(Records.avro(Records.frame("cam-2", 1000, zico))),
                Records.raw(Records.avro(Records.frame("cam-2", 3000, colin3))), // zico's track ended: new track
                Records.raw(Records.avro(Records.frame("cam-9", 1000, colin2))), // in no deployment
                Records.raw(new byte[] {9, 9, 9}));                              // not a FrameEvent

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        CollectingSink<MatchAlert> alerts = new CollectingSink<>("alerts");
        CollectingSink<DeadLetter> dead = new CollectingSink<>("dead");
        CollectingSink<DeploymentMetrics> metrics = new CollectingSink<>("metrics");
        Deployment d1 = Records.deployment("d1", List.of("cam-1", "cam-2"), 0, 1_000_000, DeploymentStatus.ACTIVE);
        // the officer's verdict is read before the alert exists: the job keeps it until the alert comes
        Adjudication confirmed = Adjudication.newBuilder().setAlertId(AlertDeduplicator.alertId("d1", "colin", Records.at(1000).toEpochMilli()))
                .setVerdict(Verdict.CONFIRMED).setOfficer("pc-1").setTime(Records.at(5000)).build();
        LiveMatchJob.build(new LiveMatchJob.Sources(
                        // broadcast inputs come from compacted topics that are read before frames flow; here the
                        // frames wait a moment so the deployment and watchlist are in broadcast state first
                        env.fromData(frames).map(new DelayFirst<>(3000)).name("frames"),
                        env.fromData(Records.raw(Records.avro(d1)), Records.raw(new byte[] {1, 2})),
                        env.fromData(Records.raw(Records.avro(Enrolments.enrol(lfw, "colin", "Colin_Powell/Colin_Powell_0001.jpg")))),
                        env.fromData(Records.raw(Records.avro(confirmed)))),
                new LiveMatchJob.Sinks(alerts, metrics, dead), LiveMatchJob.Config.defaults());
        env.execute("live match test");

        List<MatchAlert> out = alerts.results();
        assertThat(out).hasSize(2); // at the first sighting, then completed when the walk-past ends
        assertThat(out).extracting(MatchAlert::getAlertId).containsOnly(out.get(0).getAlertId());
        MatchAlert done = out.get(1);
        assertThat(done.getSubject()).isEqualTo("colin");
        assertThat(done.getSightings()).isEqualTo(2);
        assertThat(done.getCameras()).containsExactlyInAnyOrder("cam-1", "cam-2");
        assertThat(dead.results()).extracting(DeadLetter::getReason)
                .containsExactlyInAnyOrder(DeadLetterReason.UNKNOWN_CAMERA, DeadLetterReason.UNDECODABLE_RECORD,
                        DeadLetterReason.UNDECODABLE_RECORD); // a bad frame record and a bad deployment record

        // one window (the first minute): three frames of d1, the alert once although written twice, confirmed
        DeploymentMetrics all = metrics.results().stream().filter(m -> m.getCamera() == null).findFirst().orElseThrow();
        assertThat(all.getDeployment()).isEqualTo("d1");
        assertThat(all.getWindowStart()).isEqualTo(Records.T0);
        assertThat(all.getFrames()).isEqualTo(3);
        assertThat(all.getFacesDetected()).isEqualTo(3);
        assertThat(all.getFacesSearched()).isEqualTo(3); // three tracks, each embedded once
        assertThat(all.getAlerts()).isEqualTo(1);
        assertThat(all.getAdjudicatedTrue()).isEqualTo(1);
        assertThat(all.getAdjudicatedFalse()).isZero();
        assertThat(all.getFalseAlertRatePerAlert()).isEqualTo(0.0);
        assertThat(metrics.results()).filteredOn(m -> m.getCamera() != null)
                .extracting(DeploymentMetrics::getCamera, DeploymentMetrics::getFrames)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("cam-1", 1L),
                        org.assertj.core.groups.Tuple.tuple("cam-2", 2L));
    }


    /**
     * At a first start frames can be read before the deployment and watchlist topics: here the control streams are
     * held back until the frames have gone through. Without the snapshot taken at submission the frames are
     * dead-lettered as coming from an unknown camera; with it they match.
     */
    @Test
    void framesReadBeforeTheControlTopicsAreCoveredByTheSnapshotTakenAtSubmission() throws Exception {
        Path lfw = dev.lfr.jobs.SharedLfw.dir();
        byte[] colin2 = Files.readAllBytes(lfw.resolve("Colin_Powell/Colin_Powell_0002.jpg"));
        Deployment d1 = Records.deployment("d1", List.of("cam-1"), 0, 1_000_000, DeploymentStatus.ACTIVE);
        WatchlistUpdate colin = Enrolments.enrol(lfw, "colin", "Colin_Powell/Colin_Powell_0001.jpg");
        for (boolean withSnapshot : new boolean[] {false, true}) {
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
            env.setParallelism(1);
            CollectingSink<MatchAlert> alerts = new CollectingSink<>("early-alerts-" + withSnapshot);
            CollectingSink<DeadLetter> dead = new CollectingSink<>("early-dead-" + withSnapshot);
            LiveMatchJob.build(new LiveMatchJob.Sources(
                            env.fromData(Records.raw(Records.avro(Records.frame("cam-1", 1000, colin2)))),
                            env.fromData(Records.raw(Records.avro(d1))).map(new DelayFirst<>(3000)),
                            env.fromData(Records.raw(Records.avro(colin))).map(new DelayFirst<>(3000)),
                            env.fromData(Records.raw(new byte[] {0})).filter(r -> false)), // no adjudications
                    new LiveMatchJob.Sinks(alerts, new CollectingSink<>("early-metrics-" + withSnapshot), dead),
                    LiveMatchJob.Config.defaults(),
                    withSnapshot ? new StartupReads(StartupRead.of(List.of(d1)),
                            StartupRead.of(List.of(dev.lfr.jobs.ingest.ControlTopic.watchlistEntry(colin)))) : StartupReads.none());
            env.execute("early frames " + withSnapshot);
            if (withSnapshot) {
                assertThat(dead.results()).isEmpty();
                assertThat(alerts.results()).extracting(MatchAlert::getSubject).containsOnly("colin").isNotEmpty();
            } else {
                assertThat(dead.results()).extracting(DeadLetter::getReason).containsExactly(DeadLetterReason.UNKNOWN_CAMERA);
                assertThat(alerts.results()).isEmpty();
            }
        }
    }
}
