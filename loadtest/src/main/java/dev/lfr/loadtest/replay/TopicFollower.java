package dev.lfr.loadtest.replay;

import dev.lfr.schemas.AvroBytes;
import dev.lfr.topics.KafkaClients;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;

/**
 * Follows a topic from its beginning on a thread of its own, as a read_committed reader, handing each record it can
 * decode and the wall-clock time it was received to a handler. Closing it stops the thread and rethrows what stopped
 * it early, if anything did.
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

    TopicFollower(String bootstrap, String topic, Class<T> type, Handler<T> handler) {
        thread = new Thread(() -> {
            try (KafkaConsumer<byte[], byte[]> consumer = KafkaClients.consumer(bootstrap,
                    "lfr-replay-follower-" + UUID.randomUUID(), true)) {
                consumer.subscribe(List.of(topic));
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
