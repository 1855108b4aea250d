package dev.lfr.jobs.gate;

import dev.lfr.jobs.deadletter.Provenance;
import dev.lfr.jobs.ingest.AvroFieldsTypeInfo;
import dev.lfr.schemas.FrameEvent;
import org.apache.flink.api.common.typeinfo.TypeInfo;

/** A frame from a camera of an active deployment, with what the later stages need to know of that deployment. */
@TypeInfo(AvroFieldsTypeInfo.class)
public record GatedFrame(Provenance source, FrameEvent frame, String deployment, String watchlist, float threshold) {}
