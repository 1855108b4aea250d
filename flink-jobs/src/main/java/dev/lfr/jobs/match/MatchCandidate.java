package dev.lfr.jobs.match;

/**
 * A face that scored at or above its deployment's threshold against a watchlist subject: the only face data that
 * leaves {@link FaceMatcher}. Deduplication turns the candidates of one walk-past into one alert.
 */
public record MatchCandidate(String deployment, String camera, String watchlist, String subject, float score,
                             long timeMs, long trackId, byte[] cropJpeg, long watchlistVersion, String embeddingModel) {}
