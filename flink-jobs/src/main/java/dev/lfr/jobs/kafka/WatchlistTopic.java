package dev.lfr.jobs.kafka;

import dev.lfr.schemas.AvroBytes;
import dev.lfr.schemas.WatchlistOp;
import dev.lfr.schemas.WatchlistUpdate;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Publishing to and reading the compacted watchlist topic (key {@code watchlist/subject}), for the CLI. */
public final class WatchlistTopic {
    private final String bootstrap;
    private final String topic;

    public WatchlistTopic(String bootstrap, String topic) {
        this.bootstrap = bootstrap;
        this.topic = topic;
    }

    public void publish(List<WatchlistUpdate> updates) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = KafkaClients.producer(bootstrap)) {
            for (WatchlistUpdate u : updates) {
                String key = u.getWatchlist() + "/" + u.getSubject();
                producer.send(new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8), AvroBytes.encode(u))).get();
            }
        }
    }

    /** The current entries of a watchlist: the latest update of each subject, deletions left out. */
    public Map<String, WatchlistUpdate> current(String watchlist) throws Exception {
        Map<String, WatchlistUpdate> latest = new TreeMap<>();
        for (byte[] value : KafkaClients.readToEnd(bootstrap, topic)) {
            if (value == null) {
                continue;
            }
            WatchlistUpdate u;
            try {
                u = AvroBytes.decode(value, WatchlistUpdate.class);
            } catch (Exception e) {
                continue; // not a watchlist record; the job dead-letters it, a listing just skips it
            }
            WatchlistUpdate old = latest.get(u.getSubject());
            if (watchlist.equals(u.getWatchlist()) && (old == null || old.getVersion() <= u.getVersion())) {
                latest.put(u.getSubject(), u);
            }
        }
        latest.values().removeIf(u -> u.getOp() != WatchlistOp.UPSERT);
        return latest;
    }
}
