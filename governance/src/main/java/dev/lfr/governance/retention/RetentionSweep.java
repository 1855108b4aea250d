package dev.lfr.governance.retention;

import dev.lfr.governance.GovernanceException;
import dev.lfr.governance.audit.AuditEvent;
import dev.lfr.governance.audit.AuditTrail;
import dev.lfr.governance.policy.GovernancePolicy;
import dev.lfr.governance.watchlist.Watchlists;
import dev.lfr.jobs.kafka.ControlTopicReads;
import dev.lfr.schemas.AuditAction;
import dev.lfr.schemas.AvroBytes;
import dev.lfr.schemas.Deployment;
import dev.lfr.schemas.DeploymentStatus;
import dev.lfr.schemas.MatchAlert;
import dev.lfr.topics.KafkaClients;
import dev.lfr.topics.Topics;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The deletions that time makes due, run on a schedule (a CronJob in {@code k8s/}): watchlist entries past their
 * expiry, reference photos whose entry is gone, and alert crops of deployments that ended longer ago than
 * {@code alerts.crop-retention}. A crop is deleted by writing the alert again under its key, in its partition, without
 * the crop: compaction then drops the copy that had it. Counts and metrics stay.
 */
public final class RetentionSweep {
    private final String bootstrap;
    private final GovernancePolicy policy;
    private final Watchlists watchlists;
    private final Clock clock;

    public RetentionSweep(String bootstrap, GovernancePolicy policy, Watchlists watchlists, Clock clock) {
        this.bootstrap = bootstrap;
        this.policy = policy;
        this.watchlists = watchlists;
        this.clock = clock;
    }

    /** What one sweep deleted. */
    public record Swept(List<Watchlists.Purged> expired, int orphanPhotos, Map<String, Integer> cropsDeleted) {}

    public Swept run() {
        List<Watchlists.Purged> expired = watchlists.purgeExpired();
        int orphans = watchlists.deleteOrphanPhotos();
        return new Swept(expired, orphans, deleteCrops());
    }

    /** When a deployment's crops fall due: its end (or when it was ended early) plus the retention. */
    public Instant cropsDue(Deployment d) {
        Instant ended = d.getEndedAt() != null && d.getEndedAt().isBefore(d.getEnd()) ? d.getEndedAt() : d.getEnd();
        return ended.plus(policy.cropRetention());
    }

    private Map<String, Integer> deleteCrops() {
        Instant now = clock.instant();
        Map<String, Deployment> deployments;
        try {
            deployments = ControlTopicReads.deployments(bootstrap, Topics.DEPLOYMENTS, policy.rules());
        } catch (RuntimeException e) {
            throw new GovernanceException("cannot read " + Topics.DEPLOYMENTS + ": " + e.getMessage(), e);
        }
        Map<String, ConsumerRecord<byte[], byte[]>> latest = KafkaClients.latestByKey(bootstrap, Topics.ALERTS);
        Map<String, List<ProducerRecord<byte[], byte[]>>> redactions = new TreeMap<>();
        for (ConsumerRecord<byte[], byte[]> r : latest.values()) {
            if (r.value() == null) {
                continue;
            }
            MatchAlert a;
            try {
                a = AvroBytes.decode(r.value(), MatchAlert.class);
            } catch (AvroBytes.UndecodableException e) {
                continue; // not an alert: it carries no crop we could find
            }
            Deployment d = deployments.get(a.getDeployment());
            boolean over = d != null && (d.getStatus() == DeploymentStatus.ENDED || d.getStatus() == DeploymentStatus.CANCELLED
                    || !d.getEnd().isAfter(now));
            if (a.getBestCropJpeg().hasRemaining() && over && !cropsDue(d).isAfter(now)) {
                MatchAlert redacted = MatchAlert.newBuilder(a).setBestCropJpeg(ByteBuffer.allocate(0)).build();
                redactions.computeIfAbsent(a.getDeployment(), k -> new ArrayList<>())
                        .add(new ProducerRecord<>(r.topic(), r.partition(), r.key(), AvroBytes.encode(redacted)));
            }
        }
        Map<String, Integer> deleted = new TreeMap<>();
        redactions.forEach((deployment, records) -> {
            new AuditTrail(bootstrap, clock).commit(records, List.of(new AuditEvent(Watchlists.SWEEP,
                    AuditAction.CROPS_DELETED, deployment, null, null, "deleted the crops of " + records.size() + " alerts",
                    "alerts.crop-retention of " + policy.cropRetention() + " after the deployment's end passed")));
            deleted.put(deployment, records.size());
        });
        return deleted;
    }
}
