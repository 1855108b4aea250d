package dev.lfr.jobs.kafka;

import dev.lfr.jobs.ingest.ControlRecord;
import dev.lfr.jobs.ingest.ControlTopic;
import dev.lfr.jobs.ingest.InputRules;
import dev.lfr.jobs.ingest.Provenance;
import dev.lfr.jobs.ingest.RecordRejected;
import dev.lfr.jobs.ingest.StartupRead;
import dev.lfr.jobs.ingest.StartupReads;
import dev.lfr.schemas.AvroBytes;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Reads a compacted control topic to its current end, exactly as the job reads it ({@link ControlTopic}: the same
 * decoding caps, checks and tombstones), so a hostile or invalid record is left out here as it is dead-lettered
 * there. The gate and the matcher do this in {@code open()} when they start without state; only the broker's
 * address travels in the job graph, whatever the size of the watchlist.
 */
public final class ControlTopicReads {
    private ControlTopicReads() {}

    /** Both control topics of {@code bootstrap}, read under {@code rules}. */
    public static StartupReads kafka(String bootstrap, InputRules rules) {
        return new StartupReads(new TopicRead<>(bootstrap, KafkaWiring.DEPLOYMENTS, ControlTopic.DEPLOYMENTS, rules),
                new TopicRead<>(bootstrap, KafkaWiring.WATCHLIST, ControlTopic.WATCHLIST, rules));
    }

    private record TopicRead<T extends SpecificRecord>(String bootstrap, String topicName, ControlTopic<T> topic,
                                                       InputRules rules) implements StartupRead<T> {
        @Override
        public List<T> current() {
            return List.copyOf(ControlTopicReads.current(bootstrap, topicName, topic, rules).values());
        }
    }

    /** The latest accepted value of each key; a tombstone removes its key. */
    static <T extends SpecificRecord> Map<String, T> current(String bootstrap, String topicName, ControlTopic<T> topic,
                                                             InputRules rules) {
        AvroBytes.Reader<T> reader = new AvroBytes.Reader<>(topic.type());
        long now = System.currentTimeMillis();
        Map<String, T> latest = new LinkedHashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : KafkaClients.readToEnd(bootstrap, topicName)) {
            try {
                ControlRecord<T> c = topic.read(reader, new Provenance(r.topic(), r.partition(), r.offset()), r.key(),
                        r.value(), rules, now);
                if (c.isTombstone()) {
                    latest.remove(c.key());
                } else if (!latest.containsKey(c.key()) || topic.replaces(c.value(), latest.get(c.key()))) {
                    latest.put(c.key(), c.value());
                }
            } catch (RecordRejected e) {
                // the job dead-letters it when it reads the topic; a start-up read only leaves it out
            }
        }
        return latest;
    }
}
