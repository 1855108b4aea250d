package dev.lfr.jobs.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lfr.jobs.Records;
import dev.lfr.jobs.gate.GatedFrame;
import java.nio.ByteBuffer;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.java.typeutils.GenericTypeInfo;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.junit.jupiter.api.Test;

/** Frames travel between operators as Avro, never through Kryo, and arrive whole. */
class FrameTypesTest {
    @Test
    void framesAreAvroInsideFlinkPojosAndSurviveTheTrip() throws Exception {
        for (Class<?> c : new Class<?>[] {SourcedFrame.class, GatedFrame.class}) {
            TypeInformation<?> t = TypeInformation.of(c);
            assertThat(t).isInstanceOf(PojoTypeInfo.class);
            PojoTypeInfo<?> pojo = (PojoTypeInfo<?>) t;
            assertThat(pojo.getTypeAt(pojo.getFieldIndex("frame"))).isInstanceOf(AvroTypeInfo.class);
            for (int i = 0; i < pojo.getArity(); i++) {
                assertThat(pojo.getTypeAt(i)).as(c.getSimpleName() + " field " + i).isNotInstanceOf(GenericTypeInfo.class);
            }
        }
        byte[] jpeg = new byte[100_000];
        new java.util.Random(1).nextBytes(jpeg);
        GatedFrame in = new GatedFrame(Records.SOURCE, Records.frame("cam-1", 42, jpeg), "d1", "wl", 0.53f);
        TypeSerializer<GatedFrame> s = TypeInformation.of(GatedFrame.class).createSerializer(new SerializerConfigImpl());
        DataOutputSerializer out = new DataOutputSerializer(128);
        s.serialize(in, out);
        assertThat(out.length()).isBetween(100_000, 100_400); // the image and a little more
        GatedFrame back = s.deserialize(new DataInputDeserializer(out.getSharedBuffer(), 0, out.length()));
        assertThat(back.deployment()).isEqualTo("d1");
        assertThat(back.threshold()).isEqualTo(0.53f);
        assertThat(back.frame().getCamera()).isEqualTo("cam-1");
        assertThat(back.frame().getImage()).isEqualTo(ByteBuffer.wrap(jpeg));
        assertThat(s.copy(in).frame().getImage()).isEqualTo(ByteBuffer.wrap(jpeg));
    }
}
