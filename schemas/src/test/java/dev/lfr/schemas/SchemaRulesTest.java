package dev.lfr.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The rules in docs/schemas.md, checked on every topic schema. */
class SchemaRulesTest {
    static List<Schema> schemas() {
        return List.of(FrameEvent.getClassSchema(), WatchlistUpdate.getClassSchema(), Deployment.getClassSchema(),
                MatchAlert.getClassSchema(), Adjudication.getClassSchema(), DeploymentMetrics.getClassSchema(),
                DeadLetter.getClassSchema(), AuditRecord.getClassSchema());
    }

    /** Optional fields are unions with null first and default null, so a field can be added without breaking readers. */
    @ParameterizedTest
    @MethodSource("schemas")
    void optionalFieldsDefaultToNull(Schema schema) {
        for (Schema.Field f : schema.getFields()) {
            if (f.schema().getType() == Schema.Type.UNION) {
                assertThat(f.schema().getTypes().get(0).getType()).as(schema.getName() + "." + f.name())
                        .isEqualTo(Schema.Type.NULL);
                assertThat(f.hasDefaultValue()).as(schema.getName() + "." + f.name()).isTrue();
            }
        }
    }

    /** Every enum has UNKNOWN as its default, so an old reader survives a symbol added later. */
    @ParameterizedTest
    @MethodSource("schemas")
    void enumsFallBackToUnknown(Schema schema) {
        for (Schema.Field f : schema.getFields()) {
            if (f.schema().getType() == Schema.Type.ENUM) {
                assertThat(f.schema().getEnumDefault()).as(schema.getName() + "." + f.name()).isEqualTo("UNKNOWN");
            }
        }
    }

    /** A reader of the current schema reads what a writer that lacks every optional field wrote (added fields). */
    @ParameterizedTest
    @MethodSource("schemas")
    void readersOfTheCurrentSchemaReadOlderWritersWithoutOptionalFields(Schema schema) {
        List<Schema.Field> required = schema.getFields().stream().filter(f -> !f.hasDefaultValue())
                .map(f -> new Schema.Field(f.name(), f.schema(), f.doc(), f.defaultVal())).toList();
        Schema older = Schema.createRecord(schema.getName(), null, schema.getNamespace(), false, required);
        assertThat(SchemaCompatibility.checkReaderWriterCompatibility(schema, older).getType())
                .isEqualTo(SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE);
    }

    /** Symbols are written as positions: the symbols of released schemas keep theirs, new ones come after. */
    @Test
    void enumsOnlyGrowAtTheEnd() {
        assertThat(DeadLetterReason.getClassSchema().getEnumSymbols()).startsWith("UNDECODABLE_RECORD", "EMPTY_IMAGE",
                "UNSUPPORTED_IMAGE", "TRUNCATED_IMAGE", "CORRUPT_IMAGE", "IMAGE_TOO_LARGE", "UNKNOWN_CAMERA",
                "OUTSIDE_DEPLOYMENT", "WRONG_DIMENSION", "NON_FINITE_VECTOR", "WRONG_MODEL", "INVALID_RECORD", "UNKNOWN");
        assertThat(Verdict.getClassSchema().getEnumSymbols()).startsWith("CONFIRMED", "FALSE_ALERT", "NO_ACTION", "UNKNOWN");
        assertThat(DeploymentStatus.getClassSchema().getEnumSymbols())
                .startsWith("PLANNED", "ACTIVE", "ENDED", "CANCELLED", "UNKNOWN");
        assertThat(WatchlistOp.getClassSchema().getEnumSymbols()).startsWith("UPSERT", "DELETE", "UNKNOWN");
        assertThat(AuditAction.getClassSchema().getEnumSymbols()).startsWith("DEPLOYMENT_CREATED", "DEPLOYMENT_ACTIVATED",
                "DEPLOYMENT_ENDED", "DEPLOYMENT_CANCELLED", "SUBJECT_ENROLLED", "SUBJECT_REMOVED", "WATCHLIST_PURGED",
                "SUBJECTS_EXPIRED", "ALERT_ADJUDICATED", "CROPS_DELETED", "UNKNOWN");
    }

    /** A released schema's fields are the current one's first fields, unchanged: new fields are only appended. */
    @ParameterizedTest
    @MethodSource("schemas")
    void releasedSchemasOnlyGrewAtTheEnd(Schema schema) {
        for (Schema older : AvroBytes.releasedSchemas(schema)) {
            List<Schema.Field> now = schema.getFields();
            assertThat(now.size()).isGreaterThan(older.getFields().size());
            for (int i = 0; i < older.getFields().size(); i++) {
                assertThat(now.get(i).name()).isEqualTo(older.getFields().get(i).name());
                assertThat(org.apache.avro.SchemaNormalization.toParsingForm(now.get(i).schema())).as(now.get(i).name())
                        .isEqualTo(org.apache.avro.SchemaNormalization.toParsingForm(older.getFields().get(i).schema()));
            }
            now.subList(older.getFields().size(), now.size())
                    .forEach(f -> assertThat(f.hasDefaultValue()).as(f.name()).isTrue());
        }
    }

    /**
     * Metric windows published by each earlier release of the job (before frames_detected, detector_passes and
     * faces_rescored were counted) still read, with the later counts at 0.
     */
    @Test
    void metricWindowsOfEveryEarlierReleaseStillRead() throws Exception {
        List<Schema> released = AvroBytes.releasedSchemas(DeploymentMetrics.getClassSchema());
        assertThat(released).hasSize(3);
        for (Schema older : released) {
            org.apache.avro.generic.GenericRecord old = new org.apache.avro.generic.GenericData.Record(older);
            for (Schema.Field f : older.getFields()) {
                old.put(f.name(), f.schema().getType() == Schema.Type.LONG ? 7L : null);
            }
            old.put("deployment", "d1");

            DeploymentMetrics read = AvroBytes.decode(writtenWith(older, old), DeploymentMetrics.class);
            assertThat(read.getDeployment()).isEqualTo("d1");
            assertThat(read.getFrames()).isEqualTo(7);
            assertThat(read.getFacesRescored()).as("not in any earlier release").isZero();
            assertThat(read.getDetectorPasses()).isEqualTo(older.getField("detector_passes") != null ? 7 : 0);
        }
    }

    /** The bytes an earlier release of the job wrote: {@code value} in the {@code released} schema. */
    private static byte[] writtenWith(Schema released, org.apache.avro.generic.GenericRecord value) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
        new org.apache.avro.generic.GenericDatumWriter<org.apache.avro.generic.GenericRecord>(released).write(value, enc);
        enc.flush();
        return out.toByteArray();
    }

    /** A value written before the schema grew still reads, with the new fields at their defaults. */
    @Test
    void valuesWrittenWithAReleasedSchemaStillRead() throws Exception {
        List<Schema> released = AvroBytes.releasedSchemas(Deployment.getClassSchema());
        assertThat(released).isNotEmpty();
        Schema v1 = released.get(released.size() - 1);
        org.apache.avro.generic.GenericRecord old = new org.apache.avro.generic.GenericData.Record(v1);
        old.put("id", "d1");
        old.put("cameras", List.of("cam-1"));
        old.put("start", 1000L);
        old.put("end", 2000L);
        old.put("watchlist", "wl");
        old.put("threshold", 0.5f);
        old.put("status", new org.apache.avro.generic.GenericData.EnumSymbol(v1.getField("status").schema(), "ACTIVE"));

        Deployment read = AvroBytes.decode(writtenWith(v1, old), Deployment.class);
        assertThat(read.getId()).isEqualTo("d1");
        assertThat(read.getStatus()).isEqualTo(DeploymentStatus.ACTIVE);
        assertThat(read.getPurpose()).isNull();
        assertThat(read.getSignageConfirmed()).isFalse();
        assertThat(read.getWatchlistVersion()).isNull();
        // and a current value is not mistaken for an old one
        Deployment now = Deployment.newBuilder(read).setPurpose("missing-person").setSignageConfirmed(true).build();
        assertThat(AvroBytes.decode(AvroBytes.encode(now), Deployment.class)).isEqualTo(now);
    }

    @Test
    void deadLettersNeverCarryBytes() {
        for (Schema.Field f : DeadLetter.getClassSchema().getFields()) {
            assertThat(f.schema().getType()).as(f.name()).isNotEqualTo(Schema.Type.BYTES);
        }
    }

    @Test
    void recordsRoundTripThroughAvroBinary() throws Exception {
        FrameEvent frame = FrameEvent.newBuilder().setCamera("cam-1").setSequence(42)
                .setCaptureTime(Instant.ofEpochMilli(1_700_000_000_000L)).setWidth(1280).setHeight(720)
                .setEncoding(ImageEncoding.JPEG).setImage(ByteBuffer.wrap(new byte[] {(byte) 0xFF, (byte) 0xD8})).build();
        assertThat(roundTrip(frame, FrameEvent.class)).isEqualTo(frame);
        assertThat(frame.getDeployment()).isNull();
        WatchlistUpdate update = WatchlistUpdate.newBuilder().setWatchlist("wl").setSubject("s1").setVersion(3)
                .setOp(WatchlistOp.UPSERT).setEmbeddingModel("fr-feature-512").setVector(List.of(0.6f, 0.8f)).build();
        assertThat(roundTrip(update, WatchlistUpdate.class)).isEqualTo(update);
        DeadLetter dead = DeadLetter.newBuilder().setSourceTopic("frames").setSourcePartition(0).setSourceOffset(9)
                .setReason(DeadLetterReason.CORRUPT_IMAGE).setDetail("CORRUPT: bad marker")
                .setTime(Instant.ofEpochMilli(5)).build();
        assertThat(roundTrip(dead, DeadLetter.class)).isEqualTo(dead);
    }

    private static <T extends SpecificRecord> T roundTrip(T record, Class<T> type) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
        new SpecificDatumWriter<T>(type).write(record, enc);
        enc.flush();
        BinaryDecoder dec = DecoderFactory.get().binaryDecoder(out.toByteArray(), null);
        return new SpecificDatumReader<T>(type).read(null, dec);
    }
}
