package dev.lfr.governance.deployment;

import dev.lfr.governance.GovernanceException;
import dev.lfr.governance.policy.GovernancePolicy;
import dev.lfr.jobs.ingest.RecordRejected;
import dev.lfr.schemas.Deployment;
import dev.lfr.schemas.DeploymentStatus;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.TreeSet;

/**
 * The rules of a deployment's life, without Kafka: PLANNED at creation, ACTIVE only once authorised with the signs
 * up and the watchlist's version frozen, then ENDED; CANCELLED from either of the first two. Every deployment it
 * returns also passes the job's own input rules, so the gate never dead-letters what these rules let through.
 */
public final class DeploymentLifecycle {
    private final GovernancePolicy policy;

    public DeploymentLifecycle(GovernancePolicy policy) {
        this.policy = policy;
    }

    public Deployment create(DeploymentRequest r, Instant now) {
        if (r.id() == null || r.id().isBlank()) {
            throw new GovernanceException("a deployment needs an id");
        }
        if (r.purpose() == null || !policy.purposes().contains(r.purpose())) {
            throw new GovernanceException("purpose " + r.purpose() + " is not one the policy allows: " + new TreeSet<>(policy.purposes()));
        }
        if (blank(r.authorisedBy()) || blank(r.authorisationRef()) || r.authorisedAt() == null) {
            throw new GovernanceException("a deployment needs its authorising officer, authorisation reference and time");
        }
        if (r.authorisedAt().isAfter(now)) {
            throw new GovernanceException("the authorisation time " + r.authorisedAt() + " is in the future");
        }
        if (r.location() == null || blank(r.location().getName())) {
            throw new GovernanceException("a deployment needs a location: a name and coordinates");
        }
        List<String> cameras = r.cameras() == null ? List.of() : r.cameras();
        if (new HashSet<>(cameras).size() != cameras.size()) {
            throw new GovernanceException("a camera is listed twice");
        }
        policy.cameras().ifPresent(known -> cameras.stream().filter(c -> !known.contains(c)).findFirst().ifPresent(c -> {
            throw new GovernanceException("unknown camera " + c + " (the policy's deployment.cameras lists the known ones)");
        }));
        if (r.start() == null || r.end() == null || !r.end().isAfter(r.start())) {
            throw new GovernanceException("the end must come after the start");
        }
        if (!r.end().isAfter(now)) {
            throw new GovernanceException("the deployment would end in the past (" + r.end() + ")");
        }
        if (r.authorisedAt().isAfter(r.end())) {
            throw new GovernanceException("the authorisation comes after the deployment's end");
        }
        return checked(Deployment.newBuilder().setId(r.id()).setCameras(cameras).setStart(r.start()).setEnd(r.end())
                .setWatchlist(r.watchlist() == null ? "" : r.watchlist()).setThreshold(r.threshold())
                .setStatus(DeploymentStatus.PLANNED).setPurpose(r.purpose()).setAuthorisedBy(r.authorisedBy())
                .setAuthorisationRef(r.authorisationRef()).setAuthorisedAt(r.authorisedAt()).setLocation(r.location())
                .setSignageConfirmed(r.signageConfirmed()).setTwoPersonVerification(r.twoPersonVerification()).build());
    }

    /**
     * @param signageConfirmed whether the officer activating it confirms the signs are up now
     * @param watchlistVersion the watchlist's version at this moment, which the deployment freezes
     * @param watchlistSize    its live (unexpired) subjects
     */
    public Deployment activate(Deployment d, boolean signageConfirmed, long watchlistVersion, int watchlistSize, Instant now) {
        expect(d, "activated", DeploymentStatus.PLANNED);
        if (!signageConfirmed && !d.getSignageConfirmed()) {
            throw new GovernanceException("confirm that the signs are up (--signage-confirmed) before activating " + d.getId());
        }
        if (!d.getEnd().isAfter(now)) {
            throw new GovernanceException(d.getId() + "'s window ended at " + d.getEnd() + "; create a new deployment");
        }
        if (watchlistSize == 0) {
            throw new GovernanceException("watchlist " + d.getWatchlist() + " has no live subject; enrol before activating");
        }
        return checked(Deployment.newBuilder(d).setStatus(DeploymentStatus.ACTIVE).setSignageConfirmed(true)
                .setWatchlistVersion(watchlistVersion).setWatchlistSize(watchlistSize).setActivatedAt(now).build());
    }

    public Deployment end(Deployment d, Instant now) {
        expect(d, "ended", DeploymentStatus.ACTIVE);
        return checked(Deployment.newBuilder(d).setStatus(DeploymentStatus.ENDED).setEndedAt(now).build());
    }

    public Deployment cancel(Deployment d, Instant now) {
        expect(d, "cancelled", DeploymentStatus.PLANNED, DeploymentStatus.ACTIVE);
        return checked(Deployment.newBuilder(d).setStatus(DeploymentStatus.CANCELLED).setEndedAt(now).build());
    }

    private static void expect(Deployment d, String verb, DeploymentStatus... allowed) {
        if (!List.of(allowed).contains(d.getStatus())) {
            throw new GovernanceException("deployment " + d.getId() + " is " + d.getStatus() + "; only a "
                    + String.join(" or ", List.of(allowed).stream().map(Enum::name).toList()) + " deployment can be " + verb);
        }
    }

    private Deployment checked(Deployment d) {
        try {
            policy.rules().checkDeployment(d);
        } catch (RecordRejected e) {
            throw new GovernanceException(e.getMessage());
        }
        return d;
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
