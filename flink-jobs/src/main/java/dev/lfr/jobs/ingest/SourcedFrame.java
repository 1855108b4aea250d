package dev.lfr.jobs.ingest;

import dev.lfr.jobs.deadletter.Provenance;
import dev.lfr.schemas.FrameEvent;
import org.apache.flink.api.common.typeinfo.TypeInfo;

/** A decoded frame record and where it came from. */
@TypeInfo(AvroFieldsTypeInfo.class)
public record SourcedFrame(Provenance source, FrameEvent frame) {}
