package dev.lfr.jobs;

import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.connector.base.DeliveryGuarantee;

/**
 * How the job's Kafka sinks deliver. Alerts default to at least once: written at once, deduplicated by their
 * deterministic ids, so an officer never waits for a checkpoint. Metric windows and dead letters default to exactly
 * once: written in Kafka transactions that commit with each checkpoint, so a {@code read_committed} reader sees each
 * window and each dead letter once, even across a failover, a checkpoint interval later (docs/operations.md has the
 * measured cost).
 *
 * @param alerts  the alerts sink's guarantee
 * @param records the metrics and dead-letter sinks' guarantee
 */
public record SinkDelivery(DeliveryGuarantee alerts, DeliveryGuarantee records) {
    public SinkDelivery {
        for (DeliveryGuarantee g : new DeliveryGuarantee[] {alerts, records}) {
            if (g != DeliveryGuarantee.AT_LEAST_ONCE && g != DeliveryGuarantee.EXACTLY_ONCE) {
                throw new IllegalArgumentException("delivery is at-least-once or exactly-once, not " + g
                        + ": the job must not drop an alert, a metric or a dead letter");
            }
        }
    }

    public static SinkDelivery defaults() {
        return new SinkDelivery(LiveMatchOptions.ALERTS_DELIVERY.defaultValue(),
                LiveMatchOptions.RECORDS_DELIVERY.defaultValue());
    }

    /** @throws IllegalArgumentException for a guarantee that would drop records */
    public static SinkDelivery from(ReadableConfig c) {
        return new SinkDelivery(c.get(LiveMatchOptions.ALERTS_DELIVERY), c.get(LiveMatchOptions.RECORDS_DELIVERY));
    }

    /** Whether a sink commits only with checkpoints (the job must then checkpoint, or nothing becomes readable). */
    public boolean needsCheckpoints() {
        return alerts == DeliveryGuarantee.EXACTLY_ONCE || records == DeliveryGuarantee.EXACTLY_ONCE;
    }
}
