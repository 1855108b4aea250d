package dev.lfr.jobs.ingest;

import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;

/**
 * Type information for a Java record that carries Avro records: those fields are serialized by Avro, the rest as
 * Flink POJO fields. Left to itself, Flink's POJO analysis takes a nested Avro record apart field by field and gives a
 * frame's {@code ByteBuffer} image to Kryo, which then serializes and copies about a hundred kilobytes reflectively
 * at every hop between operators.
 */
public final class AvroFieldsTypeInfo<T extends Record> extends TypeInfoFactory<T> {
    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    public TypeInformation<T> createTypeInfo(Type t, Map<String, TypeInformation<?>> genericParameters) {
        Class<T> type = (Class<T>) t;
        Map<String, TypeInformation<?>> fields = new LinkedHashMap<>();
        for (RecordComponent c : type.getRecordComponents()) {
            Class<?> field = c.getType();
            fields.put(c.getName(), SpecificRecordBase.class.isAssignableFrom(field)
                    ? new AvroTypeInfo(field) : TypeInformation.of(field));
        }
        return Types.POJO(type, fields);
    }
}
