package dev.lfr.udfs.pipeline;

import ai.onnxruntime.OrtException;
import dev.lfr.udfs.detect.Detection;
import dev.lfr.udfs.embed.FaceDescriptor;
import dev.lfr.udfs.image.FrameImage;
import dev.lfr.udfs.watchlist.LiveWatchlist;
import java.util.ArrayList;
import java.util.List;

/**
 * The last step of a frame: the faces the tracker chose, embedded by the {@link FramePipeline} and searched against
 * one watchlist. With screening on, a face whose screened best score is near the threshold is embedded again by the
 * embedding model, whose score then decides ({@link Screening}); with fusion on, a face's hit is replaced by its
 * track's (the mean of the track's faces so far) where that scores higher ({@link WalkPastFusion}).
 *
 * <p>Privacy: the descriptors live only inside {@link #search} (and, with fusion, in the track's mean in the
 * pipeline's memory); what leaves is each face's best hit: a subject, a score and the entry's version.
 */
public final class FaceSearch {
    private final FramePipeline pipeline;

    public FaceSearch(FramePipeline pipeline) {
        this.pipeline = pipeline;
    }

    /**
     * @param hits     each searched face's best hit, in the order of the faces (null: no entry in force); empty when
     *                 nothing was searched
     * @param rescored how many of them the embedding model embedded again after screening
     */
    public record Result(LiveWatchlist.Hit[] hits, int rescored) {
        public int searched() {
            return hits.length;
        }
    }

    private static final Result NOTHING = new Result(new LiveWatchlist.Hit[0], 0);

    /**
     * Embeds {@code faces} of {@code frame} and searches them in {@code watchlist} as it stands at {@code timeMs}.
     * Embeds nothing when there are no faces or the watchlist has no entry in force.
     *
     * @param trackIds  each face's track on {@code camera}, for fusion
     * @param threshold the deployment's decision threshold, for screening
     */
    public Result search(FrameImage frame, String camera, List<Detection> faces, long[] trackIds, LiveWatchlist live,
                         String watchlist, double threshold, long timeMs) throws OrtException {
        if (faces.isEmpty() || live.size(watchlist, timeMs) == 0) {
            return NOTHING;
        }
        List<FaceDescriptor> descriptors;
        LiveWatchlist.Hit[] hits;
        int rescored;
        try (FramePipeline.Embedded embedded = pipeline.embedAligned(frame, faces)) {
            descriptors = new ArrayList<>(embedded.descriptors());
            hits = live.best(watchlist, vectors(descriptors), timeMs);
            rescored = rescoreUnsure(embedded, descriptors, hits, live, watchlist, threshold, timeMs);
        }
        betterByTrack(live, watchlist, hits, pipeline.fuse(camera, trackIds, descriptors), timeMs);
        return new Result(hits, rescored);
    }

    /**
     * Embeds again, by the embedding model, the faces whose screened best score is near the threshold, and searches
     * them again: their descriptors and hits are replaced. Returns how many were.
     */
    private int rescoreUnsure(FramePipeline.Embedded embedded, List<FaceDescriptor> descriptors,
                              LiveWatchlist.Hit[] hits, LiveWatchlist live, String watchlist, double threshold,
                              long timeMs) throws OrtException {
        List<Integer> unsure = new ArrayList<>();
        for (int i = 0; i < hits.length; i++) {
            if (hits[i] != null && pipeline.screening().unsure(hits[i].score(), threshold)) {
                unsure.add(i);
            }
        }
        if (unsure.isEmpty()) {
            return 0;
        }
        List<FaceDescriptor> exact = pipeline.embedExactly(embedded, unsure);
        LiveWatchlist.Hit[] exactHits = live.best(watchlist, vectors(exact), timeMs);
        for (int k = 0; k < unsure.size(); k++) {
            descriptors.set(unsure.get(k), exact.get(k));
            hits[unsure.get(k)] = exactHits[k];
        }
        return unsure.size();
    }

    private static float[][] vectors(List<FaceDescriptor> descriptors) {
        return descriptors.stream().map(FaceDescriptor::vector).toArray(float[][]::new);
    }

    /**
     * Replaces {@code hits[i]} by the hit of {@code means[i]} where that scores higher; a null mean (a track of one
     * face, or fusion off) leaves the face's own hit.
     */
    static void betterByTrack(LiveWatchlist live, String watchlist, LiveWatchlist.Hit[] hits, float[][] means,
                              long timeMs) {
        List<float[]> queries = new ArrayList<>();
        for (float[] m : means) {
            if (m != null) {
                queries.add(m);
            }
        }
        if (queries.isEmpty()) {
            return;
        }
        LiveWatchlist.Hit[] byTrack = live.best(watchlist, queries.toArray(float[][]::new), timeMs);
        for (int i = 0, next = 0; i < means.length; i++) {
            if (means[i] != null) {
                LiveWatchlist.Hit track = byTrack[next++];
                if (track != null && (hits[i] == null || track.score() > hits[i].score())) {
                    hits[i] = track;
                }
            }
        }
    }
}
