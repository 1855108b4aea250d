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
import org.apache.flink.connector.kafka.sink.KafkaSinkBuilder;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.formats.avro.AvroSerializationSchema;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Kafka sources and sinks of the live job, delivering as the job's {@code SinkDelivery} says. Alerts are delivered at least once
 * by default: their ids are deterministic and the topic is keyed by alert id, so a replay after a failure rewrites the
 * same alert instead of adding one, and an officer sees an alert as soon as it is written rather than after the next
 * checkpoint commits a transaction. Exactly-once sinks write in transactions named after the job's consumer group
 * and the topic, so two jobs on one broker never fence each other.
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

    /**
     * A transaction left open by a lost TaskManager holds back read_committed readers of its partitions until the
     * restarted job aborts it or the broker times it out; this is the brokers' default upper bound
     * ({@code transaction.max.timeout.ms}), a quarter of the connector's default hour, which they would refuse.
     */
    static final String TRANSACTION_TIMEOUT_MS = "900000";

    /** The alerts sink, keyed by alert id. */
    public static KafkaSink<MatchAlert> alertsSink(String bootstrap, String topic, DeliveryGuarantee guarantee,
                                                   String group) {
        return sink(bootstrap, topic, MatchAlert.class, MatchAlert::getAlertId, guarantee, group);
    }

    /** The metrics sink, keyed by deployment, camera and window: a compacted topic keeps each window's latest count. */
    public static KafkaSink<DeploymentMetrics> metricsSink(String bootstrap, String topic, DeliveryGuarantee guarantee,
                                                           String group) {
        return sink(bootstrap, topic, DeploymentMetrics.class, m -> m.getDeployment() + "/"
                + (m.getCamera() == null ? "*" : m.getCamera()) + "/" + m.getWindowStart().toEpochMilli(), guarantee, group);
    }

    /** The dead-letter sink, keyed by camera where known, else by the source topic. */
    public static KafkaSink<DeadLetter> deadLettersSink(String bootstrap, String topic, DeliveryGuarantee guarantee,
                                                        String group) {
        return sink(bootstrap, topic, DeadLetter.class, d -> d.getCamera() != null ? d.getCamera() : d.getSourceTopic(),
                guarantee, group);
    }

    private static <T extends SpecificRecordBase> KafkaSink<T> sink(String bootstrap, String topic, Class<T> type,
                                                                      KeyOf<T> key, DeliveryGuarantee guarantee,
                                                                      String group) {
        KafkaSinkBuilder<T> b = KafkaSink.<T>builder()
                .setBootstrapServers(bootstrap)
                .setRecordSerializer(new AvroRecords<>(topic, key, AvroSerializationSchema.forSpecific(type)))
                .setDeliveryGuarantee(guarantee);
        if (guarantee == DeliveryGuarantee.EXACTLY_ONCE) {
            b.setTransactionalIdPrefix(group + "." + topic)
                    .setProperty(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, TRANSACTION_TIMEOUT_MS);
        }
        return b.build();
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
