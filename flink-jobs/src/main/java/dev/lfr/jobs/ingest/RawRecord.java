package dev.lfr.jobs.ingest;

import dev.lfr.jobs.deadletter.Provenance;

/**
 * A Kafka record as bytes. Sources hand the job raw bytes and decoding happens in an operator, so that undecodable
 * input becomes a dead letter instead of a failed job.
 */
public record RawRecord(Provenance source, byte[] key, byte[] value, long timestampMs) {}
