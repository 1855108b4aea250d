package dev.lfr.governance.report;

import dev.lfr.governance.GovernanceException;
import dev.lfr.governance.audit.AuditTrail;
import dev.lfr.schemas.Adjudication;
import dev.lfr.schemas.AuditRecord;
import dev.lfr.schemas.AvroBytes;
import dev.lfr.schemas.Deployment;
import dev.lfr.schemas.DeploymentMetrics;
import dev.lfr.schemas.MatchAlert;
import dev.lfr.schemas.Verdict;
import dev.lfr.topics.KafkaClients;
import dev.lfr.topics.Topics;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Reads what a report needs from the topics (committed records only); unreadable records are left out. An alert's
 * verdict is the one written last, as the console shows it and compaction keeps it, whatever time it carries.
 */
public final class ReportSources {
    private ReportSources() {}

    public static DeploymentReport read(String bootstrap, Deployment d) {
        List<DeploymentMetrics> metrics = new ArrayList<>();
        each(bootstrap, Topics.METRICS, DeploymentMetrics.class, (m, t) -> metrics.add(m));
        Map<String, DeploymentReport.AlertSeen> alerts = new LinkedHashMap<>();
        each(bootstrap, Topics.ALERTS, MatchAlert.class,
                (a, t) -> alerts.putIfAbsent(a.getAlertId(), new DeploymentReport.AlertSeen(a, t)));
        Map<String, Adjudication> latest = new HashMap<>();
        each(bootstrap, Topics.ADJUDICATIONS, Adjudication.class, (a, t) -> latest.put(a.getAlertId(), a));
        Map<String, Verdict> verdicts = new HashMap<>();
        latest.forEach((id, a) -> verdicts.put(id, a.getVerdict()));
        List<AuditRecord> audit = new AuditTrail(bootstrap, Clock.systemUTC()).read().stream()
                .map(AuditTrail.Entry::record).toList();
        return DeploymentReport.of(d, metrics, alerts.values(), verdicts, audit);
    }

    private static <T extends org.apache.avro.specific.SpecificRecord> void each(String bootstrap, String topic, Class<T> type,
                                                                                 java.util.function.BiConsumer<T, Instant> each) {
        AvroBytes.Reader<T> reader = new AvroBytes.Reader<>(type);
        Consumer<org.apache.kafka.clients.consumer.ConsumerRecord<byte[], byte[]>> one = r -> {
            try {
                if (r.value() != null) {
                    each.accept(reader.read(r.value()), Instant.ofEpochMilli(r.timestamp()));
                }
            } catch (AvroBytes.UndecodableException e) {
                // not a record of this topic: nothing to count
            }
        };
        try {
            KafkaClients.forEachToEnd(bootstrap, topic, one);
        } catch (RuntimeException e) {
            throw new GovernanceException("cannot read " + topic + " at " + bootstrap + ": " + e.getMessage(), e);
        }
    }
}
