package dev.lfr.jobs.ingest;

import dev.lfr.jobs.deadletter.DeadLetters;
import dev.lfr.jobs.deadletter.Provenance;
import dev.lfr.schemas.AvroBytes;
import dev.lfr.schemas.DeadLetterReason;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Raw records of one control topic to checked {@link ControlRecord}s (see {@link ControlTopic}); whatever does not
 * decode or fails a check of {@link InputRules} is dead-lettered with its reason and counted, and never applied.
 * Tombstones pass as records without a value. Stateless.
 */
public class DecodeControlRecords<T extends SpecificRecord> extends ProcessFunction<RawRecord, ControlRecord<T>>
        implements ResultTypeQueryable<ControlRecord<T>> {
    private final ControlTopic<T> topic;
    private final InputRules rules;
    private transient AvroBytes.Reader<T> reader;
    private transient Counter deadLetters;

    public DecodeControlRecords(ControlTopic<T> topic, InputRules rules) {
        this.topic = topic;
        this.rules = rules;
    }

    /** The records' type, with the value as Avro (not Kryo). */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public static <T extends SpecificRecord> TypeInformation<ControlRecord<T>> typeOf(Class<T> type) {
        return (TypeInformation) Types.POJO(ControlRecord.class, java.util.Map.of(
                "source", TypeInformation.of(Provenance.class), "key", Types.STRING,
                "value", new AvroTypeInfo(type)));
    }

    @Override
    public TypeInformation<ControlRecord<T>> getProducedType() {
        return typeOf(topic.type());
    }

    @Override
    public void open(OpenContext openContext) {
        reader = new AvroBytes.Reader<>(topic.type());
        deadLetters = getRuntimeContext().getMetricGroup().counter(DeadLetters.COUNTER);
    }

    @Override
    public void processElement(RawRecord record, Context ctx, Collector<ControlRecord<T>> out) {
        try {
            out.collect(topic.read(reader, record.source(), record.key(), record.value(), rules,
                    ctx.timerService().currentProcessingTime()));
        } catch (RecordRejected e) {
            reject(ctx, record, e.reason(), e.detail());
        } catch (RuntimeException e) {
            // a check that did not foresee this record (a bug of ours): the record is lost, the job is not
            reject(ctx, record, DeadLetterReason.INTERNAL_ERROR, e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    private void reject(Context ctx, RawRecord record, DeadLetterReason reason, String detail) {
        deadLetters.inc();
        ctx.output(DeadLetters.TAG, DeadLetters.of(record.source(), null, reason, detail));
    }
}
