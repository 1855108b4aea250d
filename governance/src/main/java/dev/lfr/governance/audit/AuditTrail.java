package dev.lfr.governance.audit;

import dev.lfr.governance.GovernanceException;
import dev.lfr.schemas.AuditRecord;
import dev.lfr.schemas.AvroBytes;
import dev.lfr.topics.KafkaClients;
import dev.lfr.topics.Topics;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The audit topic ({@link Topics#AUDIT}, one hash chain). Every governed change is written with its audit records in
 * one Kafka transaction ({@link #commit}), so a change is never without its record, nor a record without its change.
 * All writers share one transactional id: a writer that starts fences any other still running, and reads the chain's
 * end only after, so two writers can never both extend the same record.
 */
public final class AuditTrail {
    /** The transactional id of every governance writer. */
    static final String WRITER = "lfr-governance";

    private final String bootstrap;
    private final Clock clock;

    public AuditTrail(String bootstrap, Clock clock) {
        this.bootstrap = bootstrap;
        this.clock = clock;
    }

    /** An audit record with its place on the topic. */
    public record Entry(long offset, AuditRecord record) {}

    /**
     * Writes {@code changes} (to any topics) and one audit record per event, atomically.
     *
     * @return the audit records written
     */
    public List<AuditRecord> commit(List<ProducerRecord<byte[], byte[]>> changes, List<AuditEvent> events) {
        try (KafkaProducer<byte[], byte[]> producer = transactional()) {
            producer.initTransactions();
            List<AuditChain.Link> links = links();
            AuditChain.Verdict chain = AuditChain.verify(links);
            if (!chain.intact()) { // extending a broken chain would hide the break behind valid links
                throw new GovernanceException("the audit trail on " + Topics.AUDIT + " is broken (" + chain.problem()
                        + "); nothing was written");
            }
            AuditRecord previous = links.isEmpty() ? null : AvroBytes.decode(links.get(links.size() - 1).value(), AuditRecord.class);
            byte[] previousBytes = links.isEmpty() ? null : links.get(links.size() - 1).value();
            List<AuditRecord> written = new ArrayList<>();
            List<java.util.concurrent.Future<RecordMetadata>> sent = new ArrayList<>();
            producer.beginTransaction();
            for (ProducerRecord<byte[], byte[]> c : changes) {
                sent.add(producer.send(c));
            }
            for (AuditEvent e : events) {
                AuditRecord r = AuditChain.next(previous, previousBytes, e, clock.instant());
                byte[] bytes = AvroBytes.encode(r);
                sent.add(producer.send(new ProducerRecord<>(Topics.AUDIT, null, bytes)));
                written.add(r);
                previous = r;
                previousBytes = bytes;
            }
            producer.commitTransaction();
            awaitVisible(sent);
            return written;
        } catch (GovernanceException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new GovernanceException("nothing was written: " + e.getClass().getSimpleName() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Waits until committed readers see what was sent: the coordinator answers a commit before the markers reach
     * every partition, and the next command (activate after enrol) must read what this one wrote.
     */
    private void awaitVisible(List<java.util.concurrent.Future<RecordMetadata>> sent) {
        java.util.Map<TopicPartition, Long> last = new java.util.HashMap<>();
        try {
            for (java.util.concurrent.Future<RecordMetadata> f : sent) {
                RecordMetadata m = f.get();
                last.merge(new TopicPartition(m.topic(), m.partition()), m.offset(), Math::max);
            }
        } catch (InterruptedException | java.util.concurrent.ExecutionException e) {
            throw new GovernanceException("committed, but cannot confirm it: " + e.getMessage(), e);
        }
        if (last.isEmpty()) {
            return;
        }
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(30).toNanos();
        try (KafkaConsumer<byte[], byte[]> c = KafkaClients.consumer(bootstrap, null, true)) {
            while (c.endOffsets(last.keySet()).entrySet().stream().anyMatch(e -> e.getValue() <= last.get(e.getKey()))) {
                if (System.nanoTime() > deadline) {
                    throw new GovernanceException("committed, but readers do not see it after 30 s");
                }
                Thread.sleep(20);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new GovernanceException("interrupted while waiting for the commit to show", e);
        }
    }

    /** Every record of the trail in order; undecodable ones are left out here ({@link #verify} reports them). */
    public List<Entry> read() {
        List<Entry> entries = new ArrayList<>();
        for (AuditChain.Link l : links()) {
            try {
                entries.add(new Entry(l.offset(), AvroBytes.decode(l.value(), AuditRecord.class)));
            } catch (AvroBytes.UndecodableException e) {
                // verify names it
            }
        }
        return entries;
    }

    public AuditChain.Verdict verify() {
        return AuditChain.verify(links());
    }

    private List<AuditChain.Link> links() {
        List<AuditChain.Link> links = new ArrayList<>();
        try {
            KafkaClients.forEachToEnd(bootstrap, Topics.AUDIT, r -> links.add(new AuditChain.Link(r.offset(), r.value())));
        } catch (RuntimeException e) {
            throw new GovernanceException("cannot read " + Topics.AUDIT + " at " + bootstrap + ": " + e.getMessage(), e);
        }
        return links;
    }

    private KafkaProducer<byte[], byte[]> transactional() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, WRITER);
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "15000");
        p.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, "60000");
        return new KafkaProducer<>(p);
    }
}
