package dev.lfr.governance.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lfr.schemas.AuditAction;
import dev.lfr.schemas.AuditRecord;
import dev.lfr.schemas.Deployment;
import dev.lfr.schemas.DeploymentMetrics;
import dev.lfr.schemas.DeploymentStatus;
import dev.lfr.schemas.MatchAlert;
import dev.lfr.schemas.Verdict;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

public class DeploymentReportTest {
    static final Instant T0 = Instant.parse("2026-11-27T08:00:00Z");

    public static MatchAlert alert(String id, String deployment, Instant firstSeen) {
        return MatchAlert.newBuilder().setAlertId(id).setDeployment(deployment).setCameras(List.of("cam-1")).setSubject("s")
                .setBestScore(0.7f).setFirstSeen(firstSeen).setLastSeen(firstSeen).setSightings(1)
                .setBestCropJpeg(ByteBuffer.wrap(new byte[] {1})).setWatchlistVersion(1).setEmbeddingModel("m").build();
    }

    public static DeploymentMetrics window(String deployment, String camera, int minute, long faces, long alerts) {
        return DeploymentMetrics.newBuilder().setWindowStart(T0.plusSeconds(60L * minute)).setWindowEnd(T0.plusSeconds(60L * minute + 60))
                .setDeployment(deployment).setCamera(camera).setFrames(faces * 2).setFacesDetected(faces).setFacesSearched(faces)
                .setAlerts(alerts).setAdjudicatedTrue(0).setAdjudicatedFalse(0).build();
    }

    @Test
    void countsRatesLatencyAndDeletionsComeFromTheDeploymentsOwnRecords(@TempDir Path dir) throws Exception {
        Deployment d = Deployment.newBuilder().setId("d1").setCameras(List.of("cam-1")).setStart(T0).setEnd(T0.plusSeconds(3600))
                .setWatchlist("wl").setThreshold(0.6f).setStatus(DeploymentStatus.ENDED).setPurpose("missing-person")
                .setAuthorisedBy("supt").setSignageConfirmed(true).build();
        List<DeploymentMetrics> metrics = List.of(window("d1", null, 0, 100, 2), window("d1", "cam-1", 0, 100, 2),
                window("d1", null, 1, 50, 1), window("d1", null, 1, 60, 1), window("d2", null, 0, 999, 9));
        List<DeploymentReport.AlertSeen> alerts = List.of(
                new DeploymentReport.AlertSeen(alert("a1", "d1", T0), T0.plusMillis(300)),
                new DeploymentReport.AlertSeen(alert("a2", "d1", T0), T0.plusMillis(500)),
                new DeploymentReport.AlertSeen(alert("a3", "d1", T0), T0.plusMillis(900)),
                new DeploymentReport.AlertSeen(alert("b1", "d2", T0), T0.plusMillis(100)));
        Map<String, Verdict> verdicts = Map.of("a1", Verdict.CONFIRMED, "a2", Verdict.FALSE_ALERT, "b1", Verdict.FALSE_ALERT);
        AuditRecord purge = AuditRecord.newBuilder().setSequence(3).setTime(T0.plusSeconds(7200)).setActor("lfr-sweep")
                .setAction(AuditAction.SUBJECTS_EXPIRED).setWatchlist("wl").setWhat("deleted 2 expired entries").setWhy("expiry")
                .setPreviousHash("0".repeat(64)).build();
        AuditRecord unrelated = AuditRecord.newBuilder(purge).setWatchlist("other").build();

        DeploymentReport r = DeploymentReport.of(d, metrics, alerts, verdicts, List.of(purge, unrelated));
        assertThat(r.facesSearched()).isEqualTo(160); // the latest record of window 1, cameras together only
        assertThat(r.alerts()).isEqualTo(3);
        assertThat(r.confirmed()).isEqualTo(1);
        assertThat(r.falseAlerts()).isEqualTo(1);
        assertThat(r.notAdjudicated()).isEqualTo(1);
        assertThat(r.falseAlertRatePerFace()).isEqualTo(1.0 / 160);
        assertThat(r.falseAlertRatePerAlert()).isEqualTo(0.5);
        assertThat(r.latency(0.5)).isEqualTo(Duration.ofMillis(500));
        assertThat(r.latency(1)).isEqualTo(Duration.ofMillis(900));
        assertThat(r.deletions()).containsExactly(purge);

        ReportWriter.write(r, dir);
        assertThat(dir.resolve("report.md")).content().contains("| faces searched | 160 |", "| false alerts | 1 |",
                "SUBJECTS_EXPIRED", "activity.png");
        assertThat(dir.resolve("report.html")).content().contains("<th>false-alert rate per face searched</th><td>0.00625</td>");
        for (String png : List.of(ReportWriter.ACTIVITY_PNG, ReportWriter.VERDICTS_PNG)) {
            byte[] b = Files.readAllBytes(dir.resolve(png));
            assertThat(b).startsWith((byte) 0x89, (byte) 'P', (byte) 'N', (byte) 'G');
        }
    }
}
