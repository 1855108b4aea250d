package dev.lfr.loadtest.eval;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Candidates for a reviewer of a dataset's labels, found from the descriptors: pairs of identities with photos that
 * look like one person (two names for one person, or a photo filed under the wrong name), and photos that look like
 * nobody else of their identity (the centred face is not the labelled person). Candidates only: a look-alike or an
 * unusual photo is no label error, so every entry of a corrections list is decided by looking at the photos.
 */
public final class LabelAudit {
    /** The most alike photos of two identities. */
    public record CrossPair(String identity, Path image, String other, Path otherImage, double score) {}

    /** A photo and its best score against the other photos of its identity. */
    public record Outlier(String identity, Path image, double bestSibling, int siblings) {}

    public record Candidates(List<CrossPair> crossPairs, List<Outlier> outliers) {}

    private LabelAudit() {}

    /**
     * @param limit how many of each kind, strongest first: the identity pairs with the highest cross-identity score,
     *              and the photos with the lowest best score among identities of three or more embedded photos
     */
    public static Candidates find(List<OpenSetEvaluation.Identity> identities, Map<Path, float[]> descriptors, int limit) {
        List<Path> images = new ArrayList<>();
        List<String> owner = new ArrayList<>();
        for (OpenSetEvaluation.Identity id : identities) {
            for (Path p : id.images()) {
                if (descriptors.containsKey(p)) {
                    images.add(p);
                    owner.add(id.name());
                }
            }
        }
        Map<String, CrossPair> bestPair = new HashMap<>();
        double[] bestSibling = new double[images.size()];
        int[] siblings = new int[images.size()];
        java.util.Arrays.fill(bestSibling, Double.NEGATIVE_INFINITY);
        for (int i = 0; i < images.size(); i++) {
            float[] a = descriptors.get(images.get(i));
            for (int j = i + 1; j < images.size(); j++) {
                double s = OpenSetEvaluation.dot(a, descriptors.get(images.get(j)));
                if (owner.get(i).equals(owner.get(j))) {
                    bestSibling[i] = Math.max(bestSibling[i], s);
                    bestSibling[j] = Math.max(bestSibling[j], s);
                    siblings[i]++;
                    siblings[j]++;
                } else {
                    String key = owner.get(i) + "\t" + owner.get(j);
                    CrossPair known = bestPair.get(key);
                    if (known == null || s > known.score()) {
                        bestPair.put(key, new CrossPair(owner.get(i), images.get(i), owner.get(j), images.get(j), s));
                    }
                }
            }
        }
        List<CrossPair> pairs = bestPair.values().stream().sorted(Comparator.comparingDouble(CrossPair::score).reversed())
                .limit(limit).toList();
        List<Outlier> outliers = new ArrayList<>();
        for (int i = 0; i < images.size(); i++) {
            if (siblings[i] >= 2) {
                outliers.add(new Outlier(owner.get(i), images.get(i), bestSibling[i], siblings[i]));
            }
        }
        outliers.sort(Comparator.comparingDouble(Outlier::bestSibling));
        return new Candidates(pairs, outliers.subList(0, Math.min(limit, outliers.size())));
    }
}
