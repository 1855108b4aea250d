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
    static final InputRules RULES = dev.lfr.jobs.LiveMatchJob.Config.defaults().input();
    private OneInputStreamOperatorTestHarness<RawRecord, SourcedFrame> harness;

    @BeforeEach
    void open() throws Exception {
        harness = ProcessFunctionTestHarnesses.forProcessFunction(new DecodeFrameRecords(RULES));
        harness.setProcessingTime(System.currentTimeMillis()); // the job's clock, which capture times are checked against
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

    /** A camera's clock decades ahead, or reset to 1970, never reaches event time; each is counted per camera. */
    @Test
    void framesTimedFarFromTheJobsClockAreClockSkewDeadLetters() throws Exception {
        long now = System.currentTimeMillis();
        FrameEvent ahead = FrameEvent.newBuilder(Records.frame("cam-1", 0, new byte[] {1}))
                .setCaptureTime(java.time.Instant.ofEpochMilli(now).plus(java.time.Duration.ofDays(365L * 30))).build();
        FrameEvent epoch = FrameEvent.newBuilder(Records.frame("cam-2", 0, new byte[] {1}))
                .setCaptureTime(java.time.Instant.EPOCH).build();
        FrameEvent slightlyAhead = FrameEvent.newBuilder(Records.frame("cam-3", 0, new byte[] {1}))
                .setCaptureTime(java.time.Instant.ofEpochMilli(now).plusSeconds(60)).build(); // within 5 minutes
        for (FrameEvent f : List.of(ahead, epoch, slightlyAhead)) {
            harness.processElement(Records.raw(Records.avro(f)), 1);
        }
        assertThat(harness.extractOutputValues()).extracting(s -> s.frame().getCamera()).containsExactly("cam-3");
        assertThat(deadLetters()).extracting(DeadLetter::getCamera, DeadLetter::getReason).containsExactly(
                org.assertj.core.groups.Tuple.tuple("cam-1", DeadLetterReason.CLOCK_SKEW),
                org.assertj.core.groups.Tuple.tuple("cam-2", DeadLetterReason.CLOCK_SKEW));
        assertThat(deadLetters().get(0).getDetail()).contains("ahead of the job's clock");
        assertThat(deadLetters().get(1).getDetail()).contains("behind the job's clock");
    }

    @Test
    void everyFieldIsBounded() throws Exception {
        FrameEvent base = Records.frame("cam-1", 1, new byte[] {1});
        List<FrameEvent> bad = List.of(
                FrameEvent.newBuilder(base).setCamera("c".repeat(InputRules.MAX_ID + 1)).build(),
                FrameEvent.newBuilder(base).setCamera("cam\u0000-1").build(),
                FrameEvent.newBuilder(base).setSequence(-1).build(),
                FrameEvent.newBuilder(base).setWidth(InputRules.MAX_SIDE + 1).build(),
                FrameEvent.newBuilder(base).setHeight(-3).build(),
                FrameEvent.newBuilder(base).setDeployment("d".repeat(1000)).build());
        for (FrameEvent f : bad) {
            harness.processElement(Records.raw(Records.avro(f)), 1);
        }
        assertThat(harness.extractOutputValues()).isEmpty();
        assertThat(deadLetters()).hasSize(bad.size()).allSatisfy(d -> {
            assertThat(d.getReason()).isEqualTo(DeadLetterReason.INVALID_RECORD);
            assertThat(d.getCamera() == null || d.getCamera().length() <= InputRules.MAX_ID).isTrue();
        });
    }
}
