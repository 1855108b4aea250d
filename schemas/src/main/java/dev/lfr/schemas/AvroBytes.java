package dev.lfr.schemas;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;

/**
 * Topic records to and from Avro binary (the value format of every topic). This is the one decoding path for
 * everything that reads a topic (the job's operators, its start-up read, the tools): allocations are capped by
 * {@link AvroLimits} and a value must be exactly one record, so a hostile record fails here, cheaply, for every
 * reader alike.
 */
public final class AvroBytes {
    static {
        AvroLimits.apply();
    }

    private AvroBytes() {}

    /** A value that is not one record of the expected schema; the message says why, without the value's bytes. */
    public static final class UndecodableException extends RuntimeException {
        UndecodableException(String message) {
            super(message);
        }
    }

    public static <T extends SpecificRecord> byte[] encode(T record) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
            @SuppressWarnings("unchecked")
            SpecificDatumWriter<T> writer = new SpecificDatumWriter<>((Class<T>) record.getClass());
            writer.write(record, enc);
            enc.flush();
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Decodes one value; see {@link Reader#read}. */
    public static <T extends SpecificRecord> T decode(byte[] bytes, Class<T> type) {
        return new Reader<>(type).read(bytes);
    }

    /**
     * Decodes values of one schema, reusing its decoder; not thread-safe (one per operator instance). Values carry no
     * writer schema, so a value that the current schema does not read exactly is tried against the record's released
     * schemas ({@code released/<Name>-<n>.avsc} beside this class, newest first), resolved to the current one: fields
     * are only ever appended, each takes at least one byte, so exactly one of them reads a value to its last byte.
     */
    public static final class Reader<T extends SpecificRecord> {
        private final Class<T> type;
        private final SpecificDatumReader<T> reader;
        private final List<SpecificDatumReader<T>> released;
        private BinaryDecoder decoder;

        public Reader(Class<T> type) {
            this.type = type;
            this.reader = new SpecificDatumReader<>(type);
            Schema current = reader.getSchema();
            this.released = releasedSchemas(current).stream().map(w -> new SpecificDatumReader<T>(w, current)).toList();
        }

        /**
         * @throws UndecodableException for null or empty bytes, bytes that are not a record of this schema, a record
         *                              that claims more than the caps allow, or trailing bytes after the record
         */
        public T read(byte[] bytes) {
            if (bytes == null || bytes.length == 0) {
                throw new UndecodableException("empty value");
            }
            UndecodableException failure;
            try {
                return readExactly(reader, bytes);
            } catch (UndecodableException e) {
                failure = e;
            }
            for (SpecificDatumReader<T> older : released) {
                try {
                    return readExactly(older, bytes);
                } catch (UndecodableException e) {
                    // not written with this release either
                }
            }
            throw failure;
        }

        private T readExactly(SpecificDatumReader<T> datumReader, byte[] bytes) {
            try {
                decoder = DecoderFactory.get().binaryDecoder(bytes, decoder);
                T value = datumReader.read(null, decoder);
                if (!decoder.isEnd()) {
                    throw new UndecodableException("not a " + type.getSimpleName() + ": trailing bytes after the record");
                }
                return value;
            } catch (UndecodableException e) {
                throw e;
            } catch (IOException | RuntimeException e) {
                // SystemLimitException (a claim over the caps), EOF, bad enum or union index, bad UTF-8, ...
                throw new UndecodableException("not a " + type.getSimpleName() + ": " + e.getClass().getSimpleName());
            }
        }
    }

    /** The released schemas of a record that differ from {@code current}, newest first (read once per record type). */
    public static List<Schema> releasedSchemas(Schema current) {
        return RELEASED.computeIfAbsent(current.getFullName(), n -> readReleased(current));
    }

    private static final java.util.Map<String, List<Schema>> RELEASED = new java.util.concurrent.ConcurrentHashMap<>();

    private static List<Schema> readReleased(Schema current) {
        List<Schema> found = new ArrayList<>();
        for (int n = 1;; n++) {
            try (InputStream in = AvroBytes.class.getResourceAsStream("released/" + current.getName() + "-" + n + ".avsc")) {
                if (in == null) {
                    break;
                }
                Schema s = new Schema.Parser().parse(in);
                if (!SchemaNormalization.toParsingForm(s).equals(SchemaNormalization.toParsingForm(current))) {
                    found.add(0, s);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return List.copyOf(found);
    }
}
