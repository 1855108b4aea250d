package dev.lfr.jobs.sql;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lfr.schemas.AvroBytes;
import dev.lfr.schemas.DeploymentMetrics;
import dev.lfr.schemas.MatchAlert;
import dev.lfr.testkit.LocalKafka;
import dev.lfr.topics.Topics;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The shipped DDL reads records our job writes (Avro by our schemas) from a real broker, and each example query
 * gives the hand-computed answer. Run as a bounded batch over the topics; each query is also planned in streaming
 * mode, the way the SQL client runs it.
 */
class AnalystSqlTest {
    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension();
    private static final long HOUR = 3_600_000;
    private static LocalKafka kafka;

    @BeforeAll
    static void topics() throws Exception {
        kafka = new LocalKafka();
        kafka.createTopics(Topics.ALERTS, Topics.METRICS);
        List<byte[]> alerts = new ArrayList<>();
        // d1: a1 written at first sighting and completed, a2 once, both in hour 0; a3 in hour 1. d2: one alert
        alerts.add(AvroBytes.encode(alert("a1", "d1", 1000, 1000, 1)));
        alerts.add(AvroBytes.encode(alert("a2", "d1", 2000, 2000, 1)));
        alerts.add(AvroBytes.encode(alert("a1", "d1", 1000, 5000, 4)));
        alerts.add(AvroBytes.encode(alert("a3", "d1", HOUR + 10, HOUR + 10, 1)));
        alerts.add(AvroBytes.encode(alert("a4", "d2", 3000, 3000, 1)));
        kafka.produce(Topics.ALERTS, alerts);
        kafka.produce(Topics.METRICS, List.of(
                AvroBytes.encode(metrics("d1", null, 0, 1000, 3, 1, 1)),
                AvroBytes.encode(metrics("d1", "cam-1", 0, 1000, 3, 1, 1)), // per camera: not summed twice
                AvroBytes.encode(metrics("d1", null, 60_000, 3000, 0, 0, 2)),
                AvroBytes.encode(metrics("d2", null, 0, 500, 1, 0, 0))));
    }

    @AfterAll
    static void close() throws Exception {
        kafka.close();
    }

    private static MatchAlert alert(String id, String deployment, long first, long last, int sightings) {
        return MatchAlert.newBuilder().setAlertId(id).setDeployment(deployment).setCameras(List.of("cam-1"))
                .setSubject("s-" + id).setBestScore(0.7f).setFirstSeen(Instant.ofEpochMilli(first))
                .setLastSeen(Instant.ofEpochMilli(last)).setSightings(sightings)
                .setBestCropJpeg(ByteBuffer.wrap(new byte[] {1})).setWatchlistVersion(1).setEmbeddingModel("fr-feature-512").build();
    }

    private static DeploymentMetrics metrics(String deployment, String camera, long start, long searched, long alerts,
                                             long confirmed, long falseAlerts) {
        return dev.lfr.jobs.metrics.MetricsWindowsTestAccess.metrics(deployment, camera, start, start + 60_000,
                new long[] {searched, searched, searched, alerts, confirmed, falseAlerts});
    }

    private static List<Row> run(String query) throws Exception {
        return AnalystSql.snapshot(kafka.bootstrap(), query).rows();
    }

    @Test
    void alertsPerDeploymentPerHourCountEachAlertOnce() throws Exception {
        List<String> rows = run(AnalystSql.query("alerts_per_deployment_per_hour")).stream()
                .map(r -> r.getField("deployment") + " " + r.getField("hour_start") + " " + r.getField("alerts")).toList();
        assertThat(rows).containsExactlyInAnyOrder(
                "d1 1970-01-01T00:00 2", "d1 1970-01-01T01:00 1", "d2 1970-01-01T00:00 1");
        // as ./lfr sql prints it
        assertThat(AnalystSql.snapshot(kafka.bootstrap(), AnalystSql.query("alerts_per_deployment_per_hour")).tsv())
                .contains("deployment\thour_start\talerts", "d2\t1970-01-01T00:00\t1").hasSize(4);
    }

    @Test
    void falseAlertRatesComeFromTheAllCameraRows() throws Exception {
        List<Row> rows = run(AnalystSql.query("false_alert_rate_per_deployment"));
        Row d1 = rows.stream().filter(r -> "d1".equals(r.getField("deployment"))).findFirst().orElseThrow();
        assertThat(d1.getField("faces_searched")).isEqualTo(4000L);
        assertThat(d1.getField("false_alerts")).isEqualTo(3L);
        assertThat((Double) d1.getField("false_alert_rate_per_face")).isEqualTo(3 / 4000.0);
        assertThat((Double) d1.getField("false_alert_rate_per_alert")).isEqualTo(0.75);
        Row d2 = rows.stream().filter(r -> "d2".equals(r.getField("deployment"))).findFirst().orElseThrow();
        assertThat(d2.getField("false_alert_rate_per_alert")).isNull(); // nothing adjudicated
    }

    @Test
    void rowNumberKeepsTheCompletedRecordOfEachAlert() throws Exception {
        List<Row> rows = run(AnalystSql.query("latest_alert_per_walk_past"));
        assertThat(rows).extracting(r -> r.getField("alert_id")).containsExactlyInAnyOrder("a1", "a2", "a3", "a4");
        Row a1 = rows.stream().filter(r -> "a1".equals(r.getField("alert_id"))).findFirst().orElseThrow();
        assertThat(a1.getField("sightings")).isEqualTo(4);
    }

    @Test
    void everyQueryPlansInStreamingModeAsTheSqlClientRunsIt() {
        TableEnvironment streaming = TableEnvironment.create(EnvironmentSettings.inStreamingMode());
        AnalystSql.tables("localhost:9092").forEach(streaming::executeSql);
        for (String name : AnalystSql.QUERIES) {
            assertThat(streaming.explainSql(AnalystSql.query(name))).as(name).isNotBlank();
        }
    }
}
