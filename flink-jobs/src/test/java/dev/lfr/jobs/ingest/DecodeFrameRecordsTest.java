package dev.lfr.jobs.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lfr.jobs.Records;
import dev.lfr.jobs.deadletter.DeadLetters;
import dev.lfr.schemas.DeadLetter;
import dev.lfr.schemas.DeadLetterReason;
import dev.lfr.schemas.FrameEvent;
import dev.lfr.schemas.ImageEncoding;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Random;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DecodeFrameRecordsTest {
    private OneInputStreamOperatorTestHarness<RawRecord, SourcedFrame> harness;

    @BeforeEach
    void open() throws Exception {
        harness = ProcessFunctionTestHarnesses.forProcessFunction(new DecodeFrameRecords());
    }

    private List<DeadLetter> deadLetters() {
        return harness.getSideOutput(DeadLetters.TAG) == null ? List.of()
                : harness.getSideOutput(DeadLetters.TAG).stream().map(StreamRecord::getValue).toList();
    }

    @Test
    void decodesAFrameAndKeepsItsProvenance() throws Exception {
        FrameEvent f = Records.frame("cam-1", 1000, new byte[] {(byte) 0xFF, (byte) 0xD8, 7});
        harness.processElement(Records.raw(Records.avro(f)), 1000);
        assertThat(harness.extractOutputValues()).containsExactly(new SourcedFrame(Records.SOURCE, f));
        assertThat(deadLetters()).isEmpty();
    }

    @Test
    void garbageAndOtherSchemasBecomeDeadLettersAndTheFunctionRunsOn() throws Exception {
        Random r = new Random(3);
        for (int i = 0; i < 2000; i++) {
            byte[] junk = new byte[r.nextInt(64)];
            r.nextBytes(junk);
            harness.processElement(Records.raw(junk), i);
        }
        // a record of another schema on the wrong topic
        harness.processElement(Records.raw(Records.avro(Records.deployment("d", List.of("c"), 0, 1,
                dev.lfr.schemas.DeploymentStatus.ACTIVE))), 0);
        FrameEvent good = Records.frame("cam-1", 5, new byte[] {1});
        harness.processElement(Records.raw(Records.avro(good)), 5);
        assertThat(harness.extractOutputValues()).extracting(SourcedFrame::frame).containsExactly(good);
        assertThat(deadLetters()).hasSize(2001).allSatisfy(d -> {
            assertThat(d.getReason()).isIn(DeadLetterReason.UNDECODABLE_RECORD, DeadLetterReason.INVALID_RECORD);
            assertThat(d.getSourceTopic()).isEqualTo("lfr.frames");
            assertThat(d.getSourceOffset()).isEqualTo(17);
        });
    }

    @Test
    void aRecordThatClaimsAHugeImageIsRefusedWithoutAllocatingIt() throws Exception {
        // camera "c", no deployment, sequence, time, width, height, encoding, then a bytes length of ~1 GB and no data
        byte[] head = Records.avro(Records.frame("c", 1, new byte[0]));
        byte[] lie = java.util.Arrays.copyOf(head, head.length + 4);
        int at = head.length - 1; // the zero-length bytes field's length varint
        lie[at] = (byte) 0x80;
        lie[at + 1] = (byte) 0x80;
        lie[at + 2] = (byte) 0x80;
        lie[at + 3] = (byte) 0x80;
        lie[at + 4] = (byte) 0x08; // zig-zag varint: 2^30 bytes
        // the operator capped Avro's allocations when it opened (without the cap this record allocated 1 GB)
        org.assertj.core.api.Assertions.assertThatThrownBy(
                () -> org.apache.avro.SystemLimitException.checkMaxBytesLength(1L << 30))
                .isInstanceOf(org.apache.avro.SystemLimitException.class);
        harness.processElement(Records.raw(lie), 1);
        assertThat(harness.extractOutputValues()).isEmpty();
        assertThat(deadLetters()).singleElement().satisfies(d ->
                assertThat(d.getReason()).isEqualTo(DeadLetterReason.UNDECODABLE_RECORD));
    }

    @Test
    void framesThatMakeNoSenseAreInvalid() throws Exception {
        FrameEvent noImage = Records.frame("cam-1", 1, new byte[0]);
        FrameEvent noCamera = Records.frame(" ", 1, new byte[] {1});
        FrameEvent zeroSize = FrameEvent.newBuilder(Records.frame("cam-1", 1, new byte[] {1})).setWidth(0).build();
        FrameEvent unknownEncoding = FrameEvent.newBuilder(Records.frame("cam-1", 1, new byte[] {1}))
                .setEncoding(ImageEncoding.UNKNOWN).setImage(ByteBuffer.wrap(new byte[] {1})).build();
        for (FrameEvent f : List.of(noImage, noCamera, zeroSize, unknownEncoding)) {
            harness.processElement(Records.raw(Records.avro(f)), 1);
        }
        assertThat(harness.extractOutputValues()).isEmpty();
        assertThat(deadLetters()).hasSize(4).allSatisfy(d ->
                assertThat(d.getReason()).isEqualTo(DeadLetterReason.INVALID_RECORD));
    }
}
