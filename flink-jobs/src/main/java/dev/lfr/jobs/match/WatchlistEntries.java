package dev.lfr.jobs.match;

import dev.lfr.schemas.DeadLetterReason;
import dev.lfr.schemas.WatchlistOp;
import dev.lfr.schemas.WatchlistUpdate;
import java.util.List;

/** Keys and checks for watchlist entries held in broadcast state. Stateless. */
final class WatchlistEntries {
    private WatchlistEntries() {}

    static String key(String watchlist, String subject) {
        return watchlist + "/" + subject;
    }

    static String prefix(String watchlist) {
        return watchlist + "/";
    }

    /** Why an update cannot be applied by a matcher running {@code modelId} at {@code dimension}; null if it can. */
    static DeadLetterReason problem(WatchlistUpdate u, String modelId, int dimension) {
        if (u.getWatchlist() == null || u.getWatchlist().isBlank() || u.getSubject() == null || u.getSubject().isBlank()
                || u.getOp() == WatchlistOp.UNKNOWN) {
            return DeadLetterReason.INVALID_RECORD;
        }
        if (u.getOp() == WatchlistOp.DELETE) {
            return null;
        }
        if (!modelId.equals(u.getEmbeddingModel())) {
            return DeadLetterReason.WRONG_MODEL;
        }
        List<Float> v = u.getVector();
        if (v == null || v.size() != dimension) {
            return DeadLetterReason.WRONG_DIMENSION;
        }
        double sum = 0;
        for (Float x : v) {
            if (x == null || !Float.isFinite(x)) {
                return DeadLetterReason.NON_FINITE_VECTOR;
            }
            sum += x * x;
        }
        return sum == 0 ? DeadLetterReason.INVALID_RECORD : null;
    }

    static float[] vector(WatchlistUpdate u) {
        float[] out = new float[u.getVector().size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = u.getVector().get(i);
        }
        return out;
    }
}
