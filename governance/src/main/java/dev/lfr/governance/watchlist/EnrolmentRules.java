package dev.lfr.governance.watchlist;

import dev.lfr.governance.GovernanceException;
import dev.lfr.governance.policy.GovernancePolicy;
import dev.lfr.schemas.Deployment;
import dev.lfr.schemas.DeploymentStatus;
import dev.lfr.schemas.WatchlistUpdate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * What an enrolment must satisfy, without Kafka or models: the watchlist is not frozen by an active deployment, the
 * entry expires (by default a day after the deployment that uses it ends, never later than the policy allows), and
 * no new subject resembles another subject closely enough to be taken for them.
 */
public final class EnrolmentRules {
    private final GovernancePolicy policy;

    public EnrolmentRules(GovernancePolicy policy) {
        this.policy = policy;
    }

    /** A subject to enrol: its template (L2-normalised) and where its photo came from. */
    public record Candidate(String subject, float[] template, String embeddingModel, java.nio.file.Path photo,
                            Provenance provenance) {}

    /** Why a subject is listed and on what authority its photo is held. */
    public record Provenance(String reason, String imageSource, String legalBasis) {
        public void check(String subject) {
            for (String[] f : new String[][] {{reason, "the reason for inclusion (--reason)"},
                    {imageSource, "the image's source (--source)"}, {legalBasis, "the legal basis (--legal-basis)"}}) {
                if (f[0] == null || f[0].isBlank()) {
                    throw new GovernanceException(subject + ": " + f[1] + " is missing; nothing was enrolled");
                }
                if (f[0].length() > dev.lfr.jobs.ingest.InputRules.MAX_TEXT) {
                    throw new GovernanceException(subject + ": " + f[1] + " is over " + dev.lfr.jobs.ingest.InputRules.MAX_TEXT
                            + " characters; nothing was enrolled");
                }
            }
        }
    }

    /** Two subjects a search could take for each other. */
    public record Duplicate(String subject, String resembles, double score) {}

    /** Refuses changes to a watchlist that an active deployment searches: its authorisation covers one composition. */
    public void checkNotFrozen(String watchlist, Collection<Deployment> deployments) {
        deployments.stream().filter(d -> d.getStatus() == DeploymentStatus.ACTIVE && d.getWatchlist().equals(watchlist))
                .findFirst().ifPresent(d -> {
                    throw new GovernanceException("watchlist " + watchlist + " is frozen at version " + d.getWatchlistVersion()
                            + " while deployment " + d.getId() + " is active; end it, or enrol into a new watchlist for a new deployment");
                });
    }

    /**
     * @param requested the expiry asked for, or null for the default: the latest end of the planned deployments that
     *                  use the watchlist, plus {@code watchlist.expiry-after-end}
     */
    public Instant expiry(String watchlist, Instant requested, Collection<Deployment> deployments, Instant now) {
        Instant e = requested;
        if (e == null) {
            e = deployments.stream().filter(d -> d.getStatus() == DeploymentStatus.PLANNED && d.getWatchlist().equals(watchlist))
                    .map(Deployment::getEnd).max(Instant::compareTo).map(end -> end.plus(policy.expiryAfterEnd()))
                    .orElseThrow(() -> new GovernanceException("no planned deployment uses watchlist " + watchlist
                            + "; create it first or give --expiry"));
        }
        if (!e.isAfter(now)) {
            throw new GovernanceException("the expiry " + e + " has passed");
        }
        if (e.isAfter(now.plus(policy.maxExpiry()))) {
            throw new GovernanceException("the expiry " + e + " is later than the policy's watchlist.max-expiry ("
                    + policy.maxExpiry() + ") allows");
        }
        return e;
    }

    /** The lowest threshold of the planned deployments that use the watchlist, else the policy's floor. */
    public float duplicateThreshold(String watchlist, Collection<Deployment> deployments) {
        return (float) deployments.stream().filter(d -> d.getWatchlist().equals(watchlist)
                && d.getStatus() == DeploymentStatus.PLANNED).mapToDouble(Deployment::getThreshold).min()
                .orElse(policy.rules().minThreshold());
    }

    /** New subjects as close as {@code threshold} to a live subject (other than themselves) or to each other. */
    public static List<Duplicate> duplicates(List<Candidate> candidates, Map<String, WatchlistUpdate> live, float threshold) {
        List<Duplicate> found = new ArrayList<>();
        for (int i = 0; i < candidates.size(); i++) {
            Candidate c = candidates.get(i);
            for (WatchlistUpdate u : live.values()) {
                if (!u.getSubject().equals(c.subject()) && u.getVector() != null) {
                    double s = dot(c.template(), u.getVector());
                    if (s >= threshold) {
                        found.add(new Duplicate(c.subject(), u.getSubject(), s));
                    }
                }
            }
            for (int j = 0; j < i; j++) {
                Candidate o = candidates.get(j);
                double s = dot(c.template(), o.template());
                if (s >= threshold) {
                    found.add(new Duplicate(c.subject(), o.subject(), s));
                }
            }
        }
        return found;
    }

    private static double dot(float[] a, List<Float> b) {
        double s = 0;
        for (int i = 0; i < Math.min(a.length, b.size()); i++) {
            s += a[i] * b.get(i);
        }
        return s;
    }

    private static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < Math.min(a.length, b.length); i++) {
            s += a[i] * b[i];
        }
        return s;
    }
}
