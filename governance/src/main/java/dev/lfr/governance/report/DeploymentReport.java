package dev.lfr.governance.report;

import dev.lfr.schemas.AuditAction;
import dev.lfr.schemas.AuditRecord;
import dev.lfr.schemas.Deployment;
import dev.lfr.schemas.DeploymentMetrics;
import dev.lfr.schemas.MatchAlert;
import dev.lfr.schemas.Verdict;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a force publishes after a deployment, computed from the topics' records without Kafka: where and when it ran
 * and on whose authority, what it scanned and alerted, how officers judged the alerts, the false-alert rates (per
 * face searched, the Met's definition, and per judged alert), how fast alerts came, and the evidence of deletion.
 *
 * @param window           the metrics windows, in time order (all cameras together)
 * @param alertLatencies   per alert, from its first sighting to the first record of it on the alerts topic
 * @param deletions        audit records of deletions concerning the deployment or its watchlist
 */
public record DeploymentReport(Deployment deployment, long frames, long facesDetected, long facesSearched, int alerts,
                               int confirmed, int falseAlerts, int noAction, int notAdjudicated, Double falseAlertRatePerFace,
                               Double falseAlertRatePerAlert, List<DeploymentMetrics> window, List<Duration> alertLatencies,
                               List<AuditRecord> deletions) {

    /** An alert's first record on the topic, with the time it was written there. */
    public record AlertSeen(MatchAlert alert, Instant written) {}

    static final Set<AuditAction> DELETIONS = EnumSet.of(AuditAction.SUBJECT_REMOVED, AuditAction.WATCHLIST_PURGED,
            AuditAction.SUBJECTS_EXPIRED, AuditAction.CROPS_DELETED);

    /**
     * @param metrics  the metrics records of every deployment (only this one's all-camera windows are counted; a window
     *                 written twice counts once, its latest record)
     * @param alerts   the first record of each alert id of every deployment
     * @param verdicts the latest verdict per alert id
     * @param audit    the audit trail
     */
    public static DeploymentReport of(Deployment d, Collection<DeploymentMetrics> metrics, Collection<AlertSeen> alerts,
                                      Map<String, Verdict> verdicts, Collection<AuditRecord> audit) {
        Map<Instant, DeploymentMetrics> windows = new java.util.TreeMap<>();
        metrics.stream().filter(m -> m.getDeployment().equals(d.getId()) && m.getCamera() == null)
                .forEach(m -> windows.put(m.getWindowStart(), m));
        long frames = 0;
        long detected = 0;
        long searched = 0;
        for (DeploymentMetrics m : windows.values()) {
            frames += m.getFrames();
            detected += m.getFacesDetected();
            searched += m.getFacesSearched();
        }
        int count = 0;
        int confirmed = 0;
        int falseAlerts = 0;
        int noAction = 0;
        List<Duration> latencies = new ArrayList<>();
        for (AlertSeen a : alerts) {
            if (!a.alert().getDeployment().equals(d.getId())) {
                continue;
            }
            count++;
            latencies.add(Duration.between(a.alert().getFirstSeen(), a.written()));
            Verdict v = verdicts.get(a.alert().getAlertId());
            if (v == Verdict.CONFIRMED) {
                confirmed++;
            } else if (v == Verdict.FALSE_ALERT) {
                falseAlerts++;
            } else if (v == Verdict.NO_ACTION) {
                noAction++;
            }
        }
        latencies.sort(null);
        List<AuditRecord> deletions = audit.stream().filter(r -> DELETIONS.contains(r.getAction())
                && (d.getId().equals(r.getDeployment()) || d.getWatchlist().equals(r.getWatchlist()))).toList();
        return new DeploymentReport(d, frames, detected, searched, count, confirmed, falseAlerts, noAction,
                count - confirmed - falseAlerts - noAction, searched == 0 ? null : (double) falseAlerts / searched,
                confirmed + falseAlerts == 0 ? null : (double) falseAlerts / (confirmed + falseAlerts),
                List.copyOf(windows.values()), List.copyOf(latencies), deletions);
    }

    /** The latency at quantile q (0..1, nearest rank), or null without alerts. */
    public Duration latency(double q) {
        if (alertLatencies.isEmpty()) {
            return null;
        }
        int rank = (int) Math.ceil(q * alertLatencies.size());
        return alertLatencies.get(Math.max(0, Math.min(alertLatencies.size(), rank) - 1));
    }
}
