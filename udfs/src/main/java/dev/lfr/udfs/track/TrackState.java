package dev.lfr.udfs.track;

import dev.lfr.udfs.detect.Box;

/**
 * What a camera remembers about one person walking past: where the face was last, when, and how often and how well it
 * was embedded. Deliberately no descriptor and no pixels, so this can live in Flink keyed state and checkpoints
 * without holding biometric data of people who are not on the watchlist. Immutable.
 *
 * @param id                 track id, unique per camera
 * @param box                last box, frame pixels
 * @param firstSeenMs        event time of the first sighting
 * @param lastSeenMs         event time of the last sighting
 * @param sightings          frames the face was matched in
 * @param embeds             how many times a face of this track was embedded
 * @param bestEmbeddedUtility quality utility of the best face embedded so far (0 before the first embed)
 * @param missedPasses       detector passes since the last sighting that did not find the face
 * @param embeddedAtSighting the sighting (counted from 1) at which the track was last embedded; 0 before the first
 */
public record TrackState(long id, Box box, long firstSeenMs, long lastSeenMs, int sightings, int embeds,
                         double bestEmbeddedUtility, int missedPasses, int embeddedAtSighting) {}
