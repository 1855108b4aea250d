package dev.lfr.jobs.ingest;

import dev.lfr.jobs.deadletter.DeadLetters;
import dev.lfr.schemas.DeadLetterReason;
import dev.lfr.schemas.FrameEvent;
import dev.lfr.schemas.ImageEncoding;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Avro bytes from the frames topic to {@link FrameEvent}s. Bytes that are not a FrameEvent (another schema, garbage,
 * a truncated record) and frames that make no sense (no camera, no image, impossible size, an encoding this job
 * does not know) go to {@link DeadLetters#TAG} with a reason code and are counted; the job runs on. Records may
 * not make the decoder allocate more than {@link AvroLimits} allows. Stateless.
 */
public class DecodeFrameRecords extends ProcessFunction<RawRecord, SourcedFrame> {
    private transient SpecificDatumReader<FrameEvent> reader;
    private transient BinaryDecoder decoder;
    private transient Counter deadLetters;

    @Override
    public void open(OpenContext openContext) {
        AvroLimits.apply();
        reader = new SpecificDatumReader<>(FrameEvent.class);
        deadLetters = getRuntimeContext().getMetricGroup().counter(DeadLetters.COUNTER);
    }

    @Override
    public void processElement(RawRecord record, Context ctx, Collector<SourcedFrame> out) {
        FrameEvent frame;
        try {
            decoder = DecoderFactory.get().binaryDecoder(record.value(), decoder);
            frame = reader.read(null, decoder);
            if (!decoder.isEnd()) {
                throw new java.io.IOException("trailing bytes after the record");
            }
        } catch (Exception e) {
            reject(ctx, record.source(), null, DeadLetterReason.UNDECODABLE_RECORD,
                    "not a FrameEvent: " + e.getClass().getSimpleName());
            return;
        }
        String problem = problemWith(frame);
        if (problem != null) {
            reject(ctx, record.source(), frame.getCamera(), DeadLetterReason.INVALID_RECORD, problem);
            return;
        }
        out.collect(new SourcedFrame(record.source(), frame));
    }

    private static String problemWith(FrameEvent f) {
        if (f.getCamera() == null || f.getCamera().isBlank()) {
            return "no camera id";
        }
        if (f.getImage() == null || !f.getImage().hasRemaining()) {
            return "no image bytes";
        }
        if (f.getWidth() <= 0 || f.getHeight() <= 0) {
            return "declared size " + f.getWidth() + "x" + f.getHeight();
        }
        if (f.getEncoding() == ImageEncoding.UNKNOWN) {
            return "image encoding unknown to this job";
        }
        return null;
    }

    private void reject(Context ctx, Provenance source, String camera, DeadLetterReason reason, String detail) {
        deadLetters.inc();
        ctx.output(DeadLetters.TAG, DeadLetters.of(source, camera, reason, detail));
    }
}
