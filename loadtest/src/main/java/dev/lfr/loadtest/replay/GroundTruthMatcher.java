package dev.lfr.loadtest.replay;

import dev.lfr.schemas.MatchAlert;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Scores alerts against the replay's ground truth. A walk-past is one person crossing one camera. An alert is true
 * when a walk-past of its subject on one of its cameras overlaps its sightings in time (with {@code toleranceMs}
 * either side); otherwise it is false. A walk-past of a watchlisted identity that no true alert covers is missed.
 * One alert may cover several walk-pasts (the job merges sightings of a subject less than its gap apart).
 */
public final class GroundTruthMatcher {
    /** One person crossing one camera. */
    public record WalkPast(String walkId, String identity, String camera, long startMs, long endMs, int faces) {}

    /**
     * @param enrolledWalkPasts walk-pasts of watchlisted identities
     * @param tpir              detected / enrolled walk-pasts (NaN when none)
     * @param faces             faces shown, every frame counted
     * @param splitWalkPasts    walk-pasts covered by more than one alert id: an officer would see one person's
     *                          crossing as two alerts (after a failure, an alert whose state was lost)
     */
    public record Score(int alerts, int trueAlerts, int falseAlerts, int enrolledWalkPasts, int detected, int missed,
                        double tpir, long faces, double falseAlertsPer1000Faces, int splitWalkPasts,
                        List<FalseAlert> falseAlertList) {}

    /**
     * A false alert, with the identities who were in fact crossing its cameras while it was seen: what a reviewer
     * needs to tell a look-alike from a label error of the gallery (the same person filed under two names).
     */
    public record FalseAlert(String subject, List<String> cameras, long firstSeenMs, long lastSeenMs, float bestScore,
                             List<String> inView) {}

    private GroundTruthMatcher() {}

    public static List<WalkPast> walkPasts(List<TruthFace> truth) {
        Map<String, WalkPast> byId = new LinkedHashMap<>();
        for (TruthFace t : truth) {
            byId.merge(t.walkId(), new WalkPast(t.walkId(), t.identity(), t.camera(), t.timeMs(), t.timeMs(), 1),
                    (a, b) -> new WalkPast(a.walkId(), a.identity(), a.camera(), Math.min(a.startMs(), b.startMs()),
                            Math.max(a.endMs(), b.endMs()), a.faces() + b.faces()));
        }
        return List.copyOf(byId.values());
    }

    public static Score score(List<TruthFace> truth, Set<String> watchlist, List<MatchAlert> alerts, long toleranceMs) {
        List<WalkPast> walks = walkPasts(truth);
        java.util.Set<String> detected = new java.util.HashSet<>();
        Map<String, java.util.Set<String>> alertIdsOfWalk = new java.util.HashMap<>();
        List<FalseAlert> falseAlerts = new ArrayList<>();
        for (MatchAlert a : alerts) {
            boolean covered = false;
            for (WalkPast w : walks) {
                boolean overlaps = a.getFirstSeen().toEpochMilli() <= w.endMs() + toleranceMs
                        && a.getLastSeen().toEpochMilli() >= w.startMs() - toleranceMs;
                if (w.identity().equals(a.getSubject()) && a.getCameras().contains(w.camera()) && overlaps) {
                    covered = true;
                    alertIdsOfWalk.computeIfAbsent(w.walkId(), k -> new java.util.HashSet<>()).add(a.getAlertId());
                    if (watchlist.contains(w.identity())) {
                        detected.add(w.walkId());
                    }
                }
            }
            if (!covered || !watchlist.contains(a.getSubject())) {
                falseAlerts.add(falseAlert(a, walks, toleranceMs));
            }
        }
        int enrolled = (int) walks.stream().filter(w -> watchlist.contains(w.identity())).count();
        long faces = truth.size();
        return new Score(alerts.size(), alerts.size() - falseAlerts.size(), falseAlerts.size(), enrolled, detected.size(),
                enrolled - detected.size(), enrolled == 0 ? Double.NaN : (double) detected.size() / enrolled, faces,
                faces == 0 ? Double.NaN : falseAlerts.size() * 1000.0 / faces,
                (int) alertIdsOfWalk.values().stream().filter(ids -> ids.size() > 1).count(), List.copyOf(falseAlerts));
    }

    private static FalseAlert falseAlert(MatchAlert a, List<WalkPast> walks, long toleranceMs) {
        long first = a.getFirstSeen().toEpochMilli();
        long last = a.getLastSeen().toEpochMilli();
        List<String> inView = walks.stream()
                .filter(w -> a.getCameras().contains(w.camera()) && first <= w.endMs() + toleranceMs
                        && last >= w.startMs() - toleranceMs)
                .map(WalkPast::identity).distinct().sorted().toList();
        return new FalseAlert(a.getSubject(), List.copyOf(a.getCameras()), first, last, a.getBestScore(), inView);
    }
}
