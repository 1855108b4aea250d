package dev.lfr.jobs.kafka;

import dev.lfr.jobs.ingest.RawRecord;
import dev.lfr.schemas.DeadLetter;
import dev.lfr.schemas.DeploymentMetrics;
import dev.lfr.schemas.MatchAlert;
import java.nio.charset.StandardCharsets;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.formats.avro.AvroSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Kafka sources and sinks of the live job. Alerts are delivered at least once: their ids are deterministic and the
 * topic is keyed by alert id, so a replay after a failure rewrites the same alert instead of adding one, and an
 * officer sees an alert as soon as it is written rather than after the next checkpoint commits a transaction
 * (exactly-once would add up to a checkpoint interval of latency).
 *
 * <p>Every record the job writes carries the wall-clock time of writing as its Kafka timestamp, never a time taken
 * from input: brokers refuse timestamps too far from their own clock ({@code log.message.timestamp.after.max.ms},
 * an hour by default since Kafka 4), and one refused record fails the sink, which restarts the job, which reads the
 * same input again. Event times travel in the records' own fields.
 */
public final class KafkaWiring {
    private KafkaWiring() {}

    /** Reads a topic from the earliest offset; {@code bounded} stops at the offsets current at start (tests, replays). */
    public static KafkaSource<RawRecord> source(String bootstrap, String topic, String group, boolean bounded) {
        KafkaSourceBuilder<RawRecord> b = KafkaSource.<RawRecord>builder()
                .setBootstrapServers(bootstrap)
                .setTopics(topic)
                .setGroupId(group)
                .setStartingOffsets(OffsetsInitializer.earliest())
                .setDeserializer(new RawRecordDeserializer());
        if (bounded) {
            b.setBounded(OffsetsInitializer.latest());
        }
        return b.build();
    }

    public static KafkaSink<MatchAlert> alerts(String bootstrap, String topic) {
        return sink(bootstrap, topic, MatchAlert.class, a -> a.getAlertId());
    }

    public static KafkaSink<DeadLetter> deadLetters(String bootstrap, String topic) {
        return sink(bootstrap, topic, DeadLetter.class,
                d -> d.getCamera() != null ? d.getCamera() : d.getSourceTopic());
    }

    /** Keyed by deployment, camera and window, so a compacted topic keeps the latest count of each window. */
    public static KafkaSink<DeploymentMetrics> metrics(String bootstrap, String topic) {
        return sink(bootstrap, topic, DeploymentMetrics.class, m -> m.getDeployment() + "/"
                + (m.getCamera() == null ? "*" : m.getCamera()) + "/" + m.getWindowStart().toEpochMilli());
    }

    private static <T extends SpecificRecordBase> KafkaSink<T> sink(String bootstrap, String topic, Class<T> type,
                                                                      KeyOf<T> key) {
        return KafkaSink.<T>builder()
                .setBootstrapServers(bootstrap)
                .setRecordSerializer(new AvroRecords<>(topic, key, AvroSerializationSchema.forSpecific(type)))
                .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
                .build();
    }

    /** Avro values under their keys, stamped with the time of writing (see the class comment). */
    static final class AvroRecords<T> implements KafkaRecordSerializationSchema<T> {
        private final String topic;
        private final KeyOf<T> key;
        private final SerializationSchema<T> value;

        AvroRecords(String topic, KeyOf<T> key, SerializationSchema<T> value) {
            this.topic = topic;
            this.key = key;
            this.value = value;
        }

        @Override
        public void open(SerializationSchema.InitializationContext context, KafkaSinkContext sinkContext) throws Exception {
            value.open(context);
        }

        @Override
        public ProducerRecord<byte[], byte[]> serialize(T element, KafkaSinkContext context, Long timestamp) {
            return new ProducerRecord<>(topic, null, System.currentTimeMillis(),
                    key.of(element).getBytes(StandardCharsets.UTF_8), value.serialize(element));
        }
    }

    /** The Kafka key of a record. */
    @FunctionalInterface
    interface KeyOf<T> extends java.io.Serializable {
        String of(T value);
    }
}
