package dev.lfr.governance.watchlist;

import dev.lfr.governance.GovernanceException;
import dev.lfr.governance.audit.AuditEvent;
import dev.lfr.governance.audit.AuditTrail;
import dev.lfr.governance.policy.GovernancePolicy;
import dev.lfr.jobs.kafka.ControlTopicReads;
import dev.lfr.jobs.kafka.WatchlistTopic;
import dev.lfr.schemas.AuditAction;
import dev.lfr.schemas.AvroBytes;
import dev.lfr.schemas.Deployment;
import dev.lfr.schemas.WatchlistOp;
import dev.lfr.schemas.WatchlistUpdate;
import dev.lfr.topics.KafkaClients;
import dev.lfr.topics.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Watchlists on their compacted topic, with provenance for every entry and deletion that deletes: removal, purge and
 * expiry write tombstones (compaction then drops the vectors) and delete the stored reference photos. Every change
 * is written with its audit record in one transaction.
 */
public final class Watchlists {
    /** Who the audit names for deletions the rules make by themselves. */
    public static final String SWEEP = "lfr-sweep";

    private final String bootstrap;
    private final GovernancePolicy policy;
    private final ReferenceImages images;
    private final Clock clock;
    private final WatchlistTopic topic;

    /** For reads only (no photo store), at {@code clock}. */
    public Watchlists(String bootstrap, GovernancePolicy policy, Clock clock) {
        this(bootstrap, policy, null, clock);
    }

    public Watchlists(String bootstrap, GovernancePolicy policy, ReferenceImages images, Clock clock) {
        this.bootstrap = bootstrap;
        this.policy = policy;
        this.images = images;
        this.clock = clock;
        this.topic = new WatchlistTopic(bootstrap, Topics.WATCHLIST);
    }

    /** A watchlist's entries as the job reads them, expired ones included. */
    public Map<String, WatchlistUpdate> current(String watchlist) {
        return listing(watchlist).entries();
    }

    /** The watchlist as the job would read it were its clock this one's, with the records left out as timed ahead. */
    public WatchlistTopic.Listing listing(String watchlist) {
        try {
            return topic.list(watchlist, policy.rules(), clock.millis());
        } catch (RuntimeException e) {
            throw new GovernanceException("cannot read " + Topics.WATCHLIST + " at " + bootstrap + ": " + e.getMessage(), e);
        }
    }

    /** The entries the job matches against at {@code now}: not expired. */
    public Map<String, WatchlistUpdate> live(String watchlist, Instant now) {
        return live(current(watchlist), now);
    }

    private static Map<String, WatchlistUpdate> live(Map<String, WatchlistUpdate> current, Instant now) {
        Map<String, WatchlistUpdate> live = new TreeMap<>(current);
        live.values().removeIf(u -> u.getExpiry() != null && !u.getExpiry().isAfter(now));
        return live;
    }

    /**
     * What an enrolment wrote.
     *
     * @param aheadOfClock records of the watchlist timed ahead of this machine's clock, left out of the checks: where
     *                     there are any, this clock is likely behind, and the job may ignore the enrolment as older
     */
    public record Enrolled(long version, Instant expiry, List<String> subjects, List<EnrolmentRules.Duplicate> duplicatesAllowed,
                           int aheadOfClock) {}

    /**
     * Enrols every candidate or none.
     *
     * @param expiry null for the default (see {@link EnrolmentRules#expiry})
     */
    public Enrolled enrol(String watchlist, List<EnrolmentRules.Candidate> candidates, Instant expiry, String officer,
                          boolean allowDuplicate, Collection<Deployment> deployments) {
        EnrolmentRules rules = new EnrolmentRules(policy);
        Instant now = clock.instant();
        rules.checkNotFrozen(watchlist, deployments);
        Instant until = rules.expiry(watchlist, expiry, deployments, now);
        candidates.forEach(c -> c.provenance().check(c.subject()));
        if (candidates.isEmpty()) {
            throw new GovernanceException("no subject to enrol");
        }
        float threshold = rules.duplicateThreshold(watchlist, deployments);
        WatchlistTopic.Listing listing = listing(watchlist);
        Map<String, WatchlistUpdate> current = listing.entries();
        List<EnrolmentRules.Duplicate> duplicates = EnrolmentRules.duplicates(candidates, live(current, now), threshold);
        if (!duplicates.isEmpty() && !allowDuplicate) {
            EnrolmentRules.Duplicate d = duplicates.get(0);
            throw new GovernanceException(String.format("%s resembles %s (score %.3f, threshold %.2f); nothing was enrolled"
                    + " (--allow-duplicate to enrol both)", d.subject(), d.resembles(), d.score(), threshold));
        }
        // the job keeps a subject's highest version, and a removed subject's as a deletion: past every version the
        // topic shows, a host whose clock is behind the last writer's still enrols instead of being ignored as older
        long version = now.toEpochMilli();
        for (EnrolmentRules.Candidate c : candidates) {
            Long seen = listing.versions().get(c.subject());
            version = seen == null ? version : Math.max(version, seen + 1);
        }
        List<ProducerRecord<byte[], byte[]>> changes = new ArrayList<>();
        List<AuditEvent> events = new ArrayList<>();
        List<String> stored = new ArrayList<>();
        try {
            for (EnrolmentRules.Candidate c : candidates) {
                String uri = images.store(watchlist, c.subject(), c.photo());
                stored.add(c.subject());
                List<Float> v = new ArrayList<>(c.template().length);
                for (float x : c.template()) {
                    v.add(x);
                }
                WatchlistUpdate u = WatchlistUpdate.newBuilder().setWatchlist(watchlist).setSubject(c.subject())
                        .setVersion(version).setOp(WatchlistOp.UPSERT).setEmbeddingModel(c.embeddingModel()).setVector(v)
                        .setDisplayName(c.subject()).setReferenceImageUri(uri).setExpiry(until)
                        .setReason(c.provenance().reason()).setImageSource(c.provenance().imageSource())
                        .setLegalBasis(c.provenance().legalBasis()).setEnrolledBy(officer).setEnrolledAt(now).build();
                policy.rules().checkWatchlistUpdate(u, now.toEpochMilli());
                changes.add(topic.record(u));
                events.add(new AuditEvent(officer, AuditAction.SUBJECT_ENROLLED, null, watchlist, c.subject(),
                        "enrolled until " + until + " from " + c.provenance().imageSource() + " under " + c.provenance().legalBasis()
                                + duplicates.stream().filter(d -> d.subject().equals(c.subject()))
                                        .map(d -> String.format("; resembles %s (%.3f), allowed", d.resembles(), d.score()))
                                        .collect(Collectors.joining()),
                        c.provenance().reason()));
            }
            new AuditTrail(bootstrap, clock).commit(changes, events);
        } catch (RuntimeException | dev.lfr.jobs.ingest.RecordRejected e) {
            stored.forEach(s -> images.delete(watchlist, s)); // nothing half-way: no photo without its entry
            throw e instanceof GovernanceException g ? g : new GovernanceException(e.getMessage(), e);
        }
        return new Enrolled(version, until, candidates.stream().map(EnrolmentRules.Candidate::subject).toList(),
                allowDuplicate ? duplicates : List.of(), listing.aheadOfClock());
    }

    /** Removes one subject: a tombstone, and its photo deleted. */
    public void remove(String watchlist, String subject, String officer, String why) {
        if (!keys(watchlist).contains(Topics.watchlistKey(watchlist, subject))) {
            throw new GovernanceException("watchlist " + watchlist + " has no subject " + subject);
        }
        AuditEvent e = new AuditEvent(officer, AuditAction.SUBJECT_REMOVED, null, watchlist, subject, "removed", why);
        new AuditTrail(bootstrap, clock).commit(List.of(topic.tombstone(watchlist, subject)), List.of(e));
        images.delete(watchlist, subject);
    }

    /** What a purge deleted. */
    public record Purged(String watchlist, int entries, int photos) {}

    /** Deletes a whole watchlist: a tombstone for every key it has on the topic, and every stored photo. */
    public Purged purge(String watchlist, String officer, String why) {
        List<String> keys = keys(watchlist);
        AuditEvent e = new AuditEvent(officer, AuditAction.WATCHLIST_PURGED, null, watchlist, null,
                "purged " + keys.size() + " entries and their reference photos", why);
        new AuditTrail(bootstrap, clock).commit(keys.stream().map(this::tombstone).toList(), List.of(e));
        return new Purged(watchlist, keys.size(), images.deleteWatchlist(watchlist));
    }

    /** Deletes every entry whose expiry has passed, one audit record per watchlist; photos of deleted entries go too. */
    public List<Purged> purgeExpired() {
        Instant now = clock.instant();
        // by watchlist, the keys the expired entries are stored under: a tombstone of any other key would leave them
        Map<String, Map<String, String>> expired = new TreeMap<>();
        latest().forEach((key, u) -> {
            if (u != null && u.getExpiry() != null && !u.getExpiry().isAfter(now)) {
                expired.computeIfAbsent(u.getWatchlist(), w -> new TreeMap<>()).put(u.getSubject(), key);
            }
        });
        List<Purged> purged = new ArrayList<>();
        expired.forEach((watchlist, keyOfSubject) -> {
            List<String> subjects = List.copyOf(keyOfSubject.keySet());
            AuditEvent e = new AuditEvent(SWEEP, AuditAction.SUBJECTS_EXPIRED, null, watchlist, null,
                    "deleted " + subjects.size() + " expired entries: " + String.join(",", subjects), "their expiry passed");
            new AuditTrail(bootstrap, clock).commit(
                    keyOfSubject.values().stream().map(this::tombstone).toList(), List.of(e));
            int photos = subjects.stream().mapToInt(s -> images.delete(watchlist, s)).sum();
            purged.add(new Purged(watchlist, subjects.size(), photos));
        });
        return purged;
    }

    /** Photos in the store whose entry is no longer on the topic (a deletion whose photo could not be deleted then). */
    public int deleteOrphanPhotos() {
        java.util.Set<String> keys = latest().entrySet().stream().filter(e -> e.getValue() != null).map(Map.Entry::getKey)
                .collect(Collectors.toSet());
        int deleted = 0;
        for (String w : images.watchlists()) {
            for (String s : images.subjects(w)) {
                if (!keys.contains(Topics.watchlistKey(w, s))) {
                    deleted += images.delete(w, s);
                }
            }
        }
        return deleted;
    }

    /** The keys of a watchlist that still hold a value on the topic (entries, deletions and unreadable values alike). */
    private List<String> keys(String watchlist) {
        String prefix = Topics.watchlistKey(watchlist, "");
        return latestRaw().entrySet().stream().filter(e -> e.getKey().startsWith(prefix) && e.getValue() != null)
                .map(Map.Entry::getKey).sorted().toList();
    }

    private ProducerRecord<byte[], byte[]> tombstone(String key) {
        return new ProducerRecord<>(Topics.WATCHLIST, key.getBytes(StandardCharsets.UTF_8), null);
    }

    /** The latest readable UPSERT of every key (null for anything else). */
    private Map<String, WatchlistUpdate> latest() {
        Map<String, WatchlistUpdate> out = new LinkedHashMap<>();
        latestRaw().forEach((k, v) -> {
            WatchlistUpdate u = null;
            if (v != null) {
                try {
                    u = AvroBytes.decode(v, WatchlistUpdate.class);
                } catch (AvroBytes.UndecodableException e) {
                    // not an entry the job could use
                }
            }
            out.put(k, u != null && u.getOp() == WatchlistOp.UPSERT ? u : null);
        });
        return out;
    }

    private Map<String, byte[]> latestRaw() {
        Map<String, byte[]> latest = new LinkedHashMap<>();
        try {
            KafkaClients.latestByKey(bootstrap, Topics.WATCHLIST).forEach((k, r) -> latest.put(k, r.value()));
        } catch (RuntimeException e) {
            throw new GovernanceException("cannot read " + Topics.WATCHLIST + " at " + bootstrap + ": " + e.getMessage(), e);
        }
        return latest;
    }

    /** The deployments topic, as the job reads it (for the enrolment rules). */
    public Collection<Deployment> deployments() {
        return ControlTopicReads.deployments(bootstrap, Topics.DEPLOYMENTS, policy.rules()).values();
    }
}
