package dev.lfr.jobs.ingest;

import dev.lfr.schemas.FrameEvent;

/** A decoded frame record and where it came from. */
public record SourcedFrame(Provenance source, FrameEvent frame) {}
