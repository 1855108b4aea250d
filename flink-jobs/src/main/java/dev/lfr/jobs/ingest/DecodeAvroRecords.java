package dev.lfr.jobs.ingest;

import dev.lfr.jobs.deadletter.DeadLetters;
import dev.lfr.schemas.DeadLetterReason;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Avro bytes to records of one schema (deployments, watchlist updates); anything else, and empty values, become
 * dead letters. Frames have their own {@link DecodeFrameRecords}, which also checks their content. Stateless.
 */
public class DecodeAvroRecords<T extends SpecificRecordBase> extends ProcessFunction<RawRecord, T>
        implements ResultTypeQueryable<T> {
    private final Class<T> type;
    private transient SpecificDatumReader<T> reader;
    private transient BinaryDecoder decoder;
    private transient Counter deadLetters;

    public DecodeAvroRecords(Class<T> type) {
        this.type = type;
    }

    @Override
    public TypeInformation<T> getProducedType() {
        return new AvroTypeInfo<>(type);
    }

    @Override
    public void open(OpenContext openContext) {
        AvroLimits.apply();
        reader = new SpecificDatumReader<>(type);
        deadLetters = getRuntimeContext().getMetricGroup().counter(DeadLetters.COUNTER);
    }

    @Override
    public void processElement(RawRecord record, Context ctx, Collector<T> out) {
        if (record.value() == null || record.value().length == 0) {
            reject(ctx, record, DeadLetterReason.INVALID_RECORD, "empty value: deletions are explicit records");
            return;
        }
        try {
            decoder = DecoderFactory.get().binaryDecoder(record.value(), decoder);
            T value = reader.read(null, decoder);
            if (!decoder.isEnd()) {
                throw new java.io.IOException("trailing bytes after the record");
            }
            out.collect(value);
        } catch (Exception e) {
            reject(ctx, record, DeadLetterReason.UNDECODABLE_RECORD,
                    "not a " + type.getSimpleName() + ": " + e.getClass().getSimpleName());
        }
    }

    private void reject(Context ctx, RawRecord record, DeadLetterReason reason, String detail) {
        deadLetters.inc();
        ctx.output(DeadLetters.TAG, DeadLetters.of(record.source(), null, reason, detail));
    }
}
