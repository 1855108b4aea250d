package dev.lfr.loadtest.replay;

import dev.lfr.schemas.AvroBytes;
import dev.lfr.topics.KafkaClients;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * Follows a topic on a thread of its own, from its beginning or from where it ended when the follower was made, as a
 * read_committed reader, handing each record it can decode and the wall-clock time it was received to a handler.
 * Closing it stops the thread and rethrows what stopped it early, if anything did.
 */
final class TopicFollower<T extends SpecificRecordBase> implements AutoCloseable {
    /** What to do with each record. */
    @FunctionalInterface
    interface Handler<T> {
        void accept(T record, long receivedMs);
    }

    private final Thread thread;
    private volatile boolean stop;
    private volatile Exception failure;

    /** Follows {@code topic} from its beginning. */
    TopicFollower(String bootstrap, String topic, Class<T> type, Handler<T> handler) {
        this(bootstrap, topic, type, null, handler);
    }

    /**
     * Follows {@code topic} from its end as of now (records written before this returns are skipped): for records
     * that can only come after, on a broker that may hold days of others.
     */
    static <T extends SpecificRecordBase> TopicFollower<T> fromNow(String bootstrap, String topic, Class<T> type,
                                                                   Handler<T> handler) {
        return new TopicFollower<>(bootstrap, topic, type, KafkaClients.endOffsets(bootstrap, topic), handler);
    }

    /** @param from each partition's first offset to read, or null for every partition's beginning */
    private TopicFollower(String bootstrap, String topic, Class<T> type, Map<Integer, Long> from, Handler<T> handler) {
        thread = new Thread(() -> {
            try (KafkaConsumer<byte[], byte[]> consumer = KafkaClients.consumer(bootstrap,
                    "lfr-replay-follower-" + UUID.randomUUID(), true)) {
                if (from == null || from.isEmpty()) { // no topic yet: it is empty, its beginning is now
                    consumer.subscribe(List.of(topic));
                } else {
                    List<TopicPartition> parts = from.keySet().stream().map(p -> new TopicPartition(topic, p)).toList();
                    consumer.assign(parts);
                    parts.forEach(tp -> consumer.seek(tp, from.get(tp.partition())));
                }
                while (!stop) {
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                        long received = System.currentTimeMillis();
                        T value;
                        try {
                            value = AvroBytes.decode(r.value(), type);
                        } catch (RuntimeException e) {
                            continue; // not ours to judge: the job never writes one
                        }
                        handler.accept(value, received);
                    }
                }
            } catch (Exception e) {
                failure = e;
            }
        }, "follow-" + topic);
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void close() throws Exception {
        stop = true;
        thread.join(10_000);
        if (failure != null) {
            throw failure;
        }
    }
}
