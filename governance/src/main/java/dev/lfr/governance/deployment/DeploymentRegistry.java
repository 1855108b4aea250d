package dev.lfr.governance.deployment;

import dev.lfr.governance.GovernanceException;
import dev.lfr.governance.audit.AuditEvent;
import dev.lfr.governance.audit.AuditTrail;
import dev.lfr.governance.policy.GovernancePolicy;
import dev.lfr.governance.watchlist.Watchlists;
import dev.lfr.jobs.kafka.ControlTopicReads;
import dev.lfr.schemas.AuditAction;
import dev.lfr.schemas.AvroBytes;
import dev.lfr.schemas.Deployment;
import dev.lfr.schemas.WatchlistUpdate;
import dev.lfr.topics.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Deployments on their compacted topic, changed only by the lifecycle's rules and never without an audit record
 * (written in the same transaction).
 */
public final class DeploymentRegistry {
    private final String bootstrap;
    private final GovernancePolicy policy;
    private final DeploymentLifecycle lifecycle;
    private final AuditTrail audit;
    private final Clock clock;

    public DeploymentRegistry(String bootstrap, GovernancePolicy policy, Clock clock) {
        this.bootstrap = bootstrap;
        this.policy = policy;
        this.lifecycle = new DeploymentLifecycle(policy);
        this.audit = new AuditTrail(bootstrap, clock);
        this.clock = clock;
    }

    /** Every deployment the topic holds, by id, as the job reads them. */
    public Map<String, Deployment> all() {
        try {
            return ControlTopicReads.deployments(bootstrap, Topics.DEPLOYMENTS, policy.rules());
        } catch (RuntimeException e) {
            throw new GovernanceException("cannot read " + Topics.DEPLOYMENTS + " at " + bootstrap + ": " + e.getMessage(), e);
        }
    }

    public Optional<Deployment> find(String id) {
        return Optional.ofNullable(all().get(id));
    }

    public Deployment get(String id) {
        return find(id).orElseThrow(() -> new GovernanceException("no deployment " + id));
    }

    public Deployment create(DeploymentRequest r, String why) {
        Deployment d = lifecycle.create(r, clock.instant());
        if (find(d.getId()).isPresent()) {
            throw new GovernanceException("deployment " + d.getId() + " exists already");
        }
        write(d, new AuditEvent(r.authorisedBy(), AuditAction.DEPLOYMENT_CREATED, d.getId(), d.getWatchlist(), null,
                "created " + summary(d), why));
        return d;
    }

    public Deployment activate(String id, boolean signageConfirmed, String officer, String why) {
        Deployment d = get(id);
        Map<String, WatchlistUpdate> live = new Watchlists(bootstrap, policy, clock).live(d.getWatchlist(), clock.instant());
        long version = live.values().stream().mapToLong(WatchlistUpdate::getVersion).max().orElse(0);
        Deployment active = lifecycle.activate(d, signageConfirmed, version, live.size(), clock.instant());
        write(active, new AuditEvent(officer, AuditAction.DEPLOYMENT_ACTIVATED, id, d.getWatchlist(), null,
                "activated with watchlist " + d.getWatchlist() + " at version " + version + " (" + live.size()
                        + " subjects), signage confirmed", why));
        return active;
    }

    public Deployment end(String id, String officer, String why) {
        Deployment ended = lifecycle.end(get(id), clock.instant());
        write(ended, new AuditEvent(officer, AuditAction.DEPLOYMENT_ENDED, id, ended.getWatchlist(), null, "ended", why));
        return ended;
    }

    public Deployment cancel(String id, String officer, String why) {
        Deployment cancelled = lifecycle.cancel(get(id), clock.instant());
        write(cancelled, new AuditEvent(officer, AuditAction.DEPLOYMENT_CANCELLED, id, cancelled.getWatchlist(), null,
                "cancelled", why));
        return cancelled;
    }

    private void write(Deployment d, AuditEvent event) {
        audit.commit(List.of(new ProducerRecord<>(Topics.DEPLOYMENTS, d.getId().getBytes(StandardCharsets.UTF_8),
                AvroBytes.encode(d))), List.of(event));
    }

    private static String summary(Deployment d) {
        Instant start = d.getStart();
        return "for " + d.getPurpose() + " at " + d.getLocation().getName() + " (" + d.getLocation().getLatitude() + ","
                + d.getLocation().getLongitude() + "), cameras " + String.join(",", d.getCameras()) + ", " + start + " to "
                + d.getEnd() + ", watchlist " + d.getWatchlist() + ", threshold " + d.getThreshold() + ", authorisation "
                + d.getAuthorisationRef() + " by " + d.getAuthorisedBy() + (d.getTwoPersonVerification() ? ", two-person verification" : "");
    }
}
