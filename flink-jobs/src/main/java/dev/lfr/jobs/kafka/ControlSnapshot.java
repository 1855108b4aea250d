package dev.lfr.jobs.kafka;

import dev.lfr.schemas.AvroBytes;
import dev.lfr.schemas.Deployment;
import dev.lfr.schemas.WatchlistUpdate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The deployments and watchlist entries current on their compacted topics, read once when the job is submitted and
 * handed to the gate and the matcher as the base of their broadcast state (see {@code DeploymentGate}). Watchlists
 * larger than {@link #MAX_WATCHLIST} entries are left out: they would bloat the job graph, and such a job then
 * starts as it would without a snapshot (frames before the watchlist is read find no match).
 */
public record ControlSnapshot(List<Deployment> deployments, List<WatchlistUpdate> watchlist) {
    public static final int MAX_WATCHLIST = 20_000;

    public static ControlSnapshot none() {
        return new ControlSnapshot(List.of(), List.of());
    }

    /** Reads both topics to their current end; records that do not decode are skipped (the job dead-letters them). */
    public static ControlSnapshot read(String bootstrap) {
        Map<String, Deployment> deployments = new LinkedHashMap<>();
        for (byte[] v : KafkaClients.readToEnd(bootstrap, KafkaWiring.DEPLOYMENTS)) {
            decode(v, Deployment.class).ifPresent(d -> deployments.put(d.getId(), d));
        }
        Map<String, WatchlistUpdate> watchlist = new LinkedHashMap<>();
        for (byte[] v : KafkaClients.readToEnd(bootstrap, KafkaWiring.WATCHLIST)) {
            decode(v, WatchlistUpdate.class).ifPresent(u -> watchlist.merge(u.getWatchlist() + "/" + u.getSubject(), u,
                    (a, b) -> b.getVersion() >= a.getVersion() ? b : a));
        }
        List<WatchlistUpdate> entries = watchlist.size() <= MAX_WATCHLIST ? List.copyOf(watchlist.values()) : List.of();
        return new ControlSnapshot(List.copyOf(deployments.values()), entries);
    }

    private static <T extends org.apache.avro.specific.SpecificRecord> java.util.Optional<T> decode(byte[] v, Class<T> type) {
        try {
            return v == null || v.length == 0 ? java.util.Optional.empty() : java.util.Optional.of(AvroBytes.decode(v, type));
        } catch (RuntimeException e) {
            return java.util.Optional.empty();
        }
    }
}
