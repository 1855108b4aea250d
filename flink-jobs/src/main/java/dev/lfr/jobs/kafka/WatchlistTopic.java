package dev.lfr.jobs.kafka;

import dev.lfr.jobs.ingest.ControlRecord;
import dev.lfr.jobs.ingest.ControlTopic;
import dev.lfr.jobs.ingest.InputRules;
import dev.lfr.jobs.ingest.Provenance;
import dev.lfr.jobs.ingest.RecordRejected;
import dev.lfr.schemas.AvroBytes;
import dev.lfr.schemas.WatchlistOp;
import dev.lfr.schemas.WatchlistUpdate;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
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

    /**
     * The current entries of a watchlist: the latest update of each subject, deletions (and tombstones) left out. The
     * topic is read as the job reads it ({@link ControlTopic#WATCHLIST}, with the given rules' checks), so a listing
     * shows what the job matches against.
     */
    public Map<String, WatchlistUpdate> current(String watchlist, InputRules rules) {
        AvroBytes.Reader<WatchlistUpdate> reader = new AvroBytes.Reader<>(WatchlistUpdate.class);
        Map<String, WatchlistUpdate> latest = new TreeMap<>();
        long now = System.currentTimeMillis();
        for (ConsumerRecord<byte[], byte[]> r : KafkaClients.readToEnd(bootstrap, topic)) {
            ControlRecord<WatchlistUpdate> c;
            try {
                c = ControlTopic.WATCHLIST.read(reader, new Provenance(r.topic(), r.partition(), r.offset()), r.key(),
                        r.value(), rules, now);
            } catch (RecordRejected e) {
                continue; // the job dead-letters it; a listing just skips it
            }
            if (!c.key().startsWith(watchlist + "/")) {
                continue;
            }
            String subject = c.key().substring(watchlist.length() + 1);
            WatchlistUpdate old = latest.get(subject);
            if (c.isTombstone()) {
                latest.remove(subject);
            } else if (old == null || ControlTopic.WATCHLIST.replaces(c.value(), old)) {
                latest.put(subject, c.value());
            }
        }
        latest.values().removeIf(u -> u.getOp() != WatchlistOp.UPSERT);
        return latest;
    }
}
