package dev.lfr.jobs.kafka;

import dev.lfr.jobs.ingest.ControlTopic;
import dev.lfr.jobs.ingest.InputRules;
import dev.lfr.schemas.AvroBytes;
import dev.lfr.schemas.WatchlistOp;
import dev.lfr.schemas.WatchlistUpdate;
import dev.lfr.topics.KafkaClients;
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

    /**
     * The current entries of a watchlist: the latest update of each subject, deletions (and tombstones) left out. The
     * topic is read as the job reads it ({@link ControlTopicReads}, under the given rules), so a listing shows what
     * the job matches against.
     */
    public Map<String, WatchlistUpdate> current(String watchlist, InputRules rules) {
        Map<String, WatchlistUpdate> latest = new TreeMap<>();
        ControlTopicReads.current(bootstrap, topic, ControlTopic.WATCHLIST, rules, u -> u,
                ControlTopic.WATCHLIST::replaces).forEach((key, u) -> {
            if (u.getWatchlist().equals(watchlist) && u.getOp() == WatchlistOp.UPSERT) {
                latest.put(u.getSubject(), u);
            }
        });
        return latest;
    }
}
