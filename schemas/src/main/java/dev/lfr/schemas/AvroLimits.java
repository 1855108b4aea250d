package dev.lfr.schemas;

import java.lang.reflect.Method;
import org.apache.avro.SystemLimitException;
import org.slf4j.LoggerFactory;

/**
 * Caps what one Avro record may make the decoder allocate; {@link AvroBytes} applies them before it decodes, so
 * the job, its start-up read and every tool that reads a topic decode under the same caps. Avro allocates whatever length a record declares, up to
 * 2 GB, before it finds the data missing: a 30-byte record claiming a 1 GB image took 2 s here, and a few at once
 * would exhaust a TaskManager's heap. The caps (unless already set as system properties) are far above any real
 * record: 64 MiB for bytes (a frame), 1 MiB for strings, a million items for arrays (a 512-D vector has 512).
 */
final class AvroLimits {
    static final String BYTES = String.valueOf(64 << 20);
    static final String STRINGS = String.valueOf(1 << 20);
    static final String COLLECTIONS = String.valueOf(1_000_000);

    private AvroLimits() {}

    /** Idempotent. */
    static synchronized void apply() {
        setIfAbsent(SystemLimitException.MAX_BYTES_LENGTH_PROPERTY, BYTES);
        setIfAbsent(SystemLimitException.MAX_STRING_LENGTH_PROPERTY, STRINGS);
        setIfAbsent(SystemLimitException.MAX_COLLECTION_LENGTH_PROPERTY, COLLECTIONS);
        try {
            // Avro reads the properties once, when the class loads; this makes it read them again
            Method reset = SystemLimitException.class.getDeclaredMethod("resetLimits");
            reset.setAccessible(true);
            reset.invoke(null);
        } catch (ReflectiveOperationException | RuntimeException e) {
            LoggerFactory.getLogger(AvroLimits.class).warn("cannot apply Avro decoding limits ({}); set them with -D{}={}"
                    + " on every JVM that reads topics", e, SystemLimitException.MAX_BYTES_LENGTH_PROPERTY, BYTES);
        }
    }

    private static void setIfAbsent(String property, String value) {
        if (System.getProperty(property) == null) {
            System.setProperty(property, value);
        }
    }
}
