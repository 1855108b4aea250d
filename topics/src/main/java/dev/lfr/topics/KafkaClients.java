package dev.lfr.topics;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Plain byte-array Kafka clients, for the job's start-up reads of its control topics and for the tools (CLI, replays,
 * benchmarks). Every topic value is Avro binary ({@code AvroBytes}); a
 * broker that cannot be reached fails within 15 s instead of hanging.
 */
public final class KafkaClients {
    private KafkaClients() {}

    public static KafkaProducer<byte[], byte[]> producer(String bootstrap) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "15000");
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(8 << 20)); // frames are JPEGs of a few 100 kB
        return new KafkaProducer<>(p);
    }

    /**
     * A consumer that reads committed records only: the job writes metrics and dead letters in transactions, and a
     * read_uncommitted reader would also see the copies a failover aborted.
     *
     * @param group a consumer group, or null for a consumer that assigns partitions itself
     */
    public static KafkaConsumer<byte[], byte[]> consumer(String bootstrap, String group, boolean fromEarliest) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        if (group != null) {
            p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        }
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, fromEarliest ? "earliest" : "latest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "15000");
        // a read to the end of a transactional topic ends on a commit marker, which no fetch returns as data: the
        // broker's default wait of 500 ms for data would be paid there on every read
        p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "50");
        return new KafkaConsumer<>(p);
    }

    /** Every record now on {@code topic}, oldest first per partition (tombstones included, with null values). */
    public static List<ConsumerRecord<byte[], byte[]>> readToEnd(String bootstrap, String topic) {
        List<ConsumerRecord<byte[], byte[]>> values = new ArrayList<>();
        forEachToEnd(bootstrap, topic, values::add);
        return values;
    }

    /**
     * Hands each record of {@code topic}, from its beginning to its end as of now, to {@code each} as it is polled:
     * a million-record topic is never held in memory at once.
     */
    public static void forEachToEnd(String bootstrap, String topic, java.util.function.Consumer<ConsumerRecord<byte[], byte[]>> each) {
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(bootstrap, null, true)) {
            List<TopicPartition> parts = consumer.partitionsFor(topic).stream()
                    .map(i -> new TopicPartition(topic, i.partition())).toList();
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            Map<TopicPartition, Long> end = consumer.endOffsets(parts);
            while (parts.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                consumer.poll(Duration.ofMillis(200)).forEach(each);
            }
        }
    }

    /**
     * The newest record of each key of {@code topic} as of now (a tombstone's value is null), by key as UTF-8 text:
     * what a compacted topic holds once compacted. Keyless records are left out.
     */
    public static Map<String, ConsumerRecord<byte[], byte[]>> latestByKey(String bootstrap, String topic) {
        Map<String, ConsumerRecord<byte[], byte[]>> latest = new java.util.LinkedHashMap<>();
        forEachToEnd(bootstrap, topic, r -> {
            if (r.key() != null) {
                latest.put(new String(r.key(), java.nio.charset.StandardCharsets.UTF_8), r);
            }
        });
        return latest;
    }

    /** Records written to {@code topic} so far, all partitions together (its end offsets' sum). */
    public static long recordsWritten(String bootstrap, String topic) {
        return endOffsets(bootstrap, topic).values().stream().mapToLong(Long::longValue).sum();
    }

    /** Each partition of {@code topic} with the offset its next record will get; empty where there is no topic yet. */
    public static Map<Integer, Long> endOffsets(String bootstrap, String topic) {
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(bootstrap, null, true)) {
            var infos = consumer.partitionsFor(topic);
            List<TopicPartition> parts = infos == null ? List.of()
                    : infos.stream().map(i -> new TopicPartition(topic, i.partition())).toList();
            Map<Integer, Long> ends = new java.util.HashMap<>();
            consumer.endOffsets(parts).forEach((tp, end) -> ends.put(tp.partition(), end));
            return Map.copyOf(ends);
        }
    }

    /**
     * Creates the platform's topics that do not exist yet, configured as {@code k8s/kafka-topics.yaml} configures
     * them (control topics compacted, frames kept 15 minutes), on a single broker (replication factor 1).
     *
     * @param framePartitions partitions of the frames topic: the most parallel the job's sources can read it
     */
    public static void createTopics(String bootstrap, int framePartitions) throws Exception {
        Map<String, String> compact = Map.of("cleanup.policy", "compact");
        List<NewTopic> wanted = List.of(
                new NewTopic(Topics.FRAMES, framePartitions, (short) 1).configs(Map.of("retention.ms", "900000", "max.message.bytes", String.valueOf(8 << 20))),
                new NewTopic(Topics.WATCHLIST, 1, (short) 1).configs(compact),
                new NewTopic(Topics.DEPLOYMENTS, 1, (short) 1).configs(compact),
                new NewTopic(Topics.ALERTS, 3, (short) 1).configs(Map.of("cleanup.policy", "compact,delete", "retention.ms", "2592000000")),
                new NewTopic(Topics.DEAD_LETTERS, 3, (short) 1).configs(Map.of("retention.ms", "604800000")),
                new NewTopic(Topics.ADJUDICATIONS, 3, (short) 1).configs(compact),
                new NewTopic(Topics.METRICS, 3, (short) 1).configs(compact),
                new NewTopic(Topics.AUDIT, 1, (short) 1).configs(Map.of("cleanup.policy", "delete", "retention.ms", "-1")));
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000", AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "15000"))) {
            java.util.Set<String> existing = admin.listTopics().names().get();
            List<NewTopic> missing = wanted.stream().filter(t -> !existing.contains(t.name())).toList();
            if (!missing.isEmpty()) {
                admin.createTopics(missing).all().get();
            }
        }
    }
}
