package dev.lfr.console.feed;

import java.util.List;

/**
 * An alert as the console shows it: what the job raised, whom it names, and where its review stands. Holds no
 * image: the probe crop and the reference photo are fetched separately, by users allowed to see faces.
 *
 * @param state          AWAITING_REVIEW, AWAITING_SECOND_OFFICER, or the verdict (CONFIRMED, FALSE_ALERT, NO_ACTION)
 * @param decidedBy      the officer of the verdict, or the first confirming officer while a second is awaited
 * @param hasReference   whether the watchlist entry has a reference photo the console can serve
 */
public record AlertReview(String alertId, String deployment, List<String> cameras, String subject, String displayName,
                          float score, long firstSeen, long lastSeen, int sightings, long watchlistVersion,
                          boolean hasCrop, boolean hasReference, String state, String decidedBy, Long decidedAt) {
    public static final String AWAITING_REVIEW = "AWAITING_REVIEW";
    public static final String AWAITING_SECOND_OFFICER = "AWAITING_SECOND_OFFICER";
}
