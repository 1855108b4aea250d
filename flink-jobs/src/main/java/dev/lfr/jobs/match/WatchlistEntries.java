package dev.lfr.jobs.match;

import dev.lfr.schemas.WatchlistUpdate;

/** Keys and vectors of watchlist entries held in broadcast state. Stateless. */
final class WatchlistEntries {
    private WatchlistEntries() {}

    static String key(String watchlist, String subject) {
        return dev.lfr.jobs.ingest.ControlTopic.watchlistKey(watchlist, subject);
    }

    static String prefix(String watchlist) {
        return watchlist + "/";
    }

    static float[] vector(WatchlistUpdate u) {
        float[] out = new float[u.getVector().size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = u.getVector().get(i);
        }
        return out;
    }
}
