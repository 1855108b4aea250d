package dev.lfr.governance.adjudication;

import dev.lfr.governance.GovernanceException;
import dev.lfr.governance.audit.AuditEvent;
import dev.lfr.governance.audit.AuditTrail;
import dev.lfr.governance.policy.GovernancePolicy;
import dev.lfr.jobs.ingest.RecordRejected;
import dev.lfr.jobs.kafka.ControlTopicReads;
import dev.lfr.schemas.Adjudication;
import dev.lfr.schemas.AuditAction;
import dev.lfr.schemas.AvroBytes;
import dev.lfr.schemas.Deployment;
import dev.lfr.schemas.MatchAlert;
import dev.lfr.schemas.Verdict;
import dev.lfr.topics.KafkaClients;
import dev.lfr.topics.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Officers' decisions on alerts, each with its audit record. Where the deployment asks for two-person verification
 * (EU AI Act Art. 14(5)), a confirmation counts only once a second officer confirms too: the first is recorded in the
 * audit trail and the verdict is written when another officer agrees.
 */
public final class Adjudications {
    private final String bootstrap;
    private final GovernancePolicy policy;
    private final Clock clock;

    public Adjudications(String bootstrap, GovernancePolicy policy, Clock clock) {
        this.bootstrap = bootstrap;
        this.policy = policy;
        this.clock = clock;
    }

    /** What a decision did: whether the verdict was written, or waits for a second officer. */
    public record Decided(String alertId, Verdict verdict, boolean written, String waitingFor) {}

    public Decided decide(String alertId, Verdict verdict, String officer, String why) {
        if (verdict == null || verdict == Verdict.UNKNOWN) {
            throw new GovernanceException("a verdict is CONFIRMED, FALSE_ALERT or NO_ACTION");
        }
        MatchAlert alert = alert(alertId);
        Deployment d = ControlTopicReads.deployments(bootstrap, Topics.DEPLOYMENTS, policy.rules()).get(alert.getDeployment());
        Instant now = clock.instant();
        Adjudication a = Adjudication.newBuilder().setAlertId(alertId).setVerdict(verdict).setOfficer(officer).setTime(now).build();
        try {
            policy.rules().checkAdjudication(a, now.toEpochMilli());
        } catch (RecordRejected e) {
            throw new GovernanceException(e.getMessage());
        }
        AuditTrail audit = new AuditTrail(bootstrap, clock);
        boolean twoPeople = d != null && d.getTwoPersonVerification() && verdict == Verdict.CONFIRMED;
        if (twoPeople && audit.read().stream().map(AuditTrail.Entry::record).noneMatch(r -> r.getAction() == AuditAction.ALERT_ADJUDICATED
                && alertId.equals(r.getSubject()) && r.getWhat().startsWith(FIRST_CONFIRMATION) && !r.getActor().equals(officer))) {
            audit.commit(List.of(), List.of(new AuditEvent(officer, AuditAction.ALERT_ADJUDICATED, alert.getDeployment(), null,
                    alertId, FIRST_CONFIRMATION + ", awaiting a second officer", why)));
            return new Decided(alertId, verdict, false, "a second officer's confirmation");
        }
        audit.commit(List.of(new ProducerRecord<>(Topics.ADJUDICATIONS, alertId.getBytes(StandardCharsets.UTF_8), AvroBytes.encode(a))),
                List.of(new AuditEvent(officer, AuditAction.ALERT_ADJUDICATED, alert.getDeployment(), null, alertId,
                        (twoPeople ? "second confirmation: " : "") + verdict, why)));
        return new Decided(alertId, verdict, true, null);
    }

    /** How the audit record of a first confirmation, awaiting a second officer, begins its {@code what}. */
    public static final String FIRST_CONFIRMATION = "first confirmation";

    private MatchAlert alert(String alertId) {
        org.apache.kafka.clients.consumer.ConsumerRecord<byte[], byte[]> r = KafkaClients.latestByKey(bootstrap, Topics.ALERTS).get(alertId);
        try {
            if (r != null && r.value() != null) {
                return AvroBytes.decode(r.value(), MatchAlert.class);
            }
        } catch (AvroBytes.UndecodableException e) {
            // not an alert
        }
        throw new GovernanceException("no alert " + alertId + " on " + Topics.ALERTS);
    }
}
