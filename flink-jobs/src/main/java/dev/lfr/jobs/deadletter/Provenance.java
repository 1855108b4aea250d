package dev.lfr.jobs.deadletter;

/** Where a record came from, carried along so any later stage can point a dead letter at it. */
public record Provenance(String topic, int partition, long offset) {}
