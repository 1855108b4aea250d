package dev.lfr.loadtest.eval;

import dev.lfr.udfs.detect.FaceDetector;
import dev.lfr.udfs.engine.FaceEngine;
import dev.lfr.udfs.enrol.Enrolment;
import dev.lfr.udfs.image.ImageDecoder;
import dev.lfr.udfs.model.ModelStore;
import dev.lfr.udfs.pipeline.Screening;
import dev.lfr.udfs.quality.QualityGate;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;
import java.util.stream.Stream;

/**
 * The offline 1:N protocol on a folder of DIR/&lt;identity&gt;/&lt;images&gt;. The watchlist is every identity with two
 * or more images, enrolled from its first image in name order ({@link Enrol#FIRST}) or the mean of up to three
 * ({@link Enrol#MEAN3}, always leaving one image to probe with); mated probes are the rest of their images.
 * Non-mated probes are the identities with one image, plus every mated probe searched again with its own identity
 * left out of the watchlist, so a few thousand photos resolve FPIR down to about 1e-4. Every probe is searched
 * against the whole watchlist (exhaustively: cosine similarity of L2-normalised descriptors).
 */
public final class OpenSetEvaluation {
    public enum Enrol { FIRST, MEAN3 }

    /** An identity and its images in name order. */
    public record Identity(String name, List<Path> images) {}

    /**
     * @param metrics          the rates
     * @param watchlistSize    identities enrolled
     * @param enrolFailures    identities with two or more images none of whose enrolment images had a usable face
     * @param matedIdentity    per mated probe, its identity (for per-group rates)
     * @param nonMatedIdentity per non-mated probe, its identity
     * @param matedFte         mated probes without a usable face
     * @param nonMatedFte      non-mated probes without a usable face
     * @param screened         with screened probes, how the screening went; else null
     */
    public record Result(IdentificationMetrics metrics, int watchlistSize, int enrolFailures, List<String> matedIdentity,
                         List<String> nonMatedIdentity, int matedFte, int nonMatedFte, List<NonMatedSearch> nonMated,
                         ScreeningTally screened) {}

    /**
     * Probes as a screened matcher embeds them ({@link Screening}): each probe's search runs on its screened
     * descriptor, and again on its exact one where the best screened score is within the margin of {@code threshold}.
     * The watchlist stays enrolled with the exact descriptors.
     */
    public record ScreenedProbes(Map<Path, float[]> descriptors, Screening screening, double threshold) {}

    /**
     * @param searches    searches run (mated and non-mated; strangers are searched unscreened)
     * @param rescored    searches run again on the exact descriptor
     * @param largestMove the largest difference between a search's best screened and best exact score
     */
    public record ScreeningTally(String model, double margin, double threshold, int searches, int rescored,
                                 double largestMove) {}

    /** A non-mated search: the probe, and the watchlist identity it scored highest against (null without a face). */
    public record NonMatedSearch(Path probe, String candidate, double score) {}

    private OpenSetEvaluation() {}

    /** The identities under {@code dir}: sub-folders not starting with '_' or '.', images by extension. */
    public static List<Identity> scan(Path dir) throws IOException {
        List<Identity> out = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(dir)) {
            for (Path d : dirs.filter(Files::isDirectory).sorted().toList()) {
                String name = d.getFileName().toString();
                if (name.startsWith("_") || name.startsWith(".")) {
                    continue;
                }
                try (Stream<Path> files = Files.list(d)) {
                    List<Path> images = files.filter(Files::isRegularFile).filter(OpenSetEvaluation::isImage).sorted().toList();
                    if (!images.isEmpty()) {
                        out.add(new Identity(name, images));
                    }
                }
            }
        }
        return out;
    }

    private static boolean isImage(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return n.endsWith(".jpg") || n.endsWith(".jpeg") || n.endsWith(".png");
    }

    /**
     * Per image: the centre face's descriptor (absent where no face passes the gate), the number of usable faces,
     * and the centre face's quality utility.
     */
    public record Embedded(Map<Path, float[]> descriptors, Map<Path, Integer> usableFaces, Map<Path, Double> utility) {
        public Embedded(Map<Path, float[]> descriptors, Map<Path, Integer> usableFaces) {
            this(descriptors, usableFaces, Map.of());
        }
    }

    /**
     * A face searched as a non-mated probe from outside the labelled identities: a crowd, a video, another dataset.
     * Not the bystanders of the dataset's own photos: in LFW they are often other LFW identities photographed
     * together (Julianne Moore beside Todd Haynes), so they would count true matches as false alarms.
     */
    public record Stranger(String source, float[] descriptor) {}

    /**
     * Every image's centre face, embedded on {@code threads} threads, each with its own engine; with
     * {@code flipAveraging} each face is embedded as it is and mirrored.
     */
    public static Embedded embedAll(ModelStore models, String embeddingModel, QualityGate gate, List<Path> images,
                                    int threads, boolean flipAveraging, IntConsumer progress) throws Exception {
        Map<Path, float[]> out = new java.util.concurrent.ConcurrentHashMap<>();
        Map<Path, Integer> usable = new java.util.concurrent.ConcurrentHashMap<>();
        Map<Path, Double> utility = new java.util.concurrent.ConcurrentHashMap<>();
        AtomicInteger done = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Void>> parts = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int first = t;
                parts.add(pool.submit(() -> {
                    ImageDecoder decoder = new ImageDecoder();
                    try (FaceEngine engine = new FaceEngine(models, embeddingModel, FaceDetector.Config.defaults(), gate,
                            flipAveraging)) {
                        for (int i = first; i < images.size(); i += threads) {
                            Path p = images.get(i);
                            CentreFace.Found found = CentreFace.analyse(engine, decoder, p);
                            found.descriptor().ifPresent(d -> out.put(p, d.vector()));
                            usable.put(p, found.usableFaces());
                            utility.put(p, found.utility());
                            progress.accept(done.incrementAndGet());
                        }
                    }
                    return null;
                }));
            }
            for (Future<Void> f : parts) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        return new Embedded(Map.copyOf(out), Map.copyOf(usable), Map.copyOf(utility));
    }

    /**
     * Runs the protocol on embedded images. With {@code singleFaceEnrolment}, an enrolment photo counts only when it
     * shows exactly one usable face, the rule of {@code ./lfr watchlist enrol}: a photo of two people cannot say
     * which one is the subject.
     */
    public static Result evaluate(List<Identity> identities, Embedded embedded, Enrol enrol, boolean singleFaceEnrolment) {
        return evaluate(identities, embedded, new Options(enrol, singleFaceEnrolment, 0), List.of());
    }

    /**
     * How the protocol is run.
     *
     * @param cohort the cohort size k of {@link CohortNormalisation}, 0 for raw cosine scores
     */
    public record Options(Enrol enrol, boolean singleFaceEnrolment, int cohort, ScreenedProbes screened) {
        public Options(Enrol enrol, boolean singleFaceEnrolment, int cohort) {
            this(enrol, singleFaceEnrolment, cohort, null);
        }
    }

    /** Runs each probe's search, screened where the options say so, and tallies the screening. */
    private static final class Searches {
        private final CohortNormalisation norm;
        private final ScreenedProbes screened;
        private int searches;
        private int rescored;
        private double largestMove;

        Searches(CohortNormalisation norm, ScreenedProbes screened) {
            this.norm = norm;
            this.screened = screened;
        }

        double[] scores(Path probe, float[] exact, int leaveOut) {
            searches++;
            float[] first = screened == null ? null : screened.descriptors().get(probe);
            if (first == null) {
                return norm.scores(exact, leaveOut);
            }
            double[] byScreened = norm.scores(first, leaveOut);
            double[] byExact = norm.scores(exact, leaveOut);
            double score = best(byScreened).score();
            double move = Math.abs(score - best(byExact).score());
            if (Double.isFinite(move)) { // a search with every entry left out has no best score
                largestMove = Math.max(largestMove, move);
            }
            if (screened.screening().unsure(score, screened.threshold())) {
                rescored++;
                return byExact;
            }
            return byScreened;
        }

        ScreeningTally tally() {
            return screened == null ? null : new ScreeningTally(screened.screening().model(),
                    screened.screening().margin(), screened.threshold(), searches, rescored, largestMove);
        }
    }

    /**
     * As {@link #evaluate(List, Embedded, Enrol, boolean)}, with {@code strangers} searched as further non-mated
     * probes (only usable faces are listed, so they add no failures to extract).
     */
    public static Result evaluate(List<Identity> identities, Embedded embedded, Options options, List<Stranger> strangers) {
        Enrol enrol = options.enrol();
        boolean singleFaceEnrolment = options.singleFaceEnrolment();
        Map<Path, float[]> descriptors = new HashMap<>(embedded.descriptors());
        Map<Path, float[]> enrolable = new HashMap<>(descriptors);
        if (singleFaceEnrolment) {
            enrolable.keySet().removeIf(p -> embedded.usableFaces().getOrDefault(p, 0) != 1);
        }
        List<String> names = new ArrayList<>();
        List<float[]> templates = new ArrayList<>();
        List<List<Path>> probesOf = new ArrayList<>();
        List<Identity> singles = new ArrayList<>();
        int enrolFailures = 0;
        for (Identity id : identities) {
            int n = id.images().size();
            if (n < 2) {
                singles.add(id);
                continue;
            }
            int enrolCount = enrol == Enrol.FIRST ? 1 : Math.min(3, n - 1);
            float[] template = meanTemplate(id.images().subList(0, enrolCount), enrolable);
            if (template == null) {
                enrolFailures++;
                continue;
            }
            names.add(id.name());
            templates.add(template);
            probesOf.add(id.images().subList(enrolCount, n));
        }
        CohortNormalisation norm = new CohortNormalisation(templates, options.cohort());
        Searches search = new Searches(norm, options.screened());
        List<Double> mateScores = new ArrayList<>();
        List<Boolean> mateTop = new ArrayList<>();
        List<Double> nonMated = new ArrayList<>();
        List<String> matedIdentity = new ArrayList<>();
        List<String> nonMatedIdentity = new ArrayList<>();
        List<NonMatedSearch> searches = new ArrayList<>();
        int matedFte = 0;
        int nonMatedFte = 0;
        for (int w = 0; w < templates.size(); w++) {
            for (Path probe : probesOf.get(w)) {
                float[] d = descriptors.get(probe);
                matedIdentity.add(names.get(w));
                nonMatedIdentity.add(names.get(w));
                if (d == null) {
                    matedFte++;
                    nonMatedFte++;
                    mateScores.add(Double.NaN);
                    mateTop.add(false);
                    nonMated.add(Double.NaN);
                    searches.add(new NonMatedSearch(probe, null, Double.NaN));
                    continue;
                }
                double[] all = search.scores(probe, d, -1);
                double mate = all[w];
                all[w] = Double.NEGATIVE_INFINITY;
                mateScores.add(mate);
                mateTop.add(mate > best(all).score());
                // the same search with its own identity left out of the watchlist
                Candidate other = best(search.scores(probe, d, w));
                searches.add(new NonMatedSearch(probe, other.index() < 0 ? null : names.get(other.index()), other.score()));
                nonMated.add(other.score());
            }
        }
        for (Identity single : singles) {
            float[] d = descriptors.get(single.images().get(0));
            nonMatedIdentity.add(single.name());
            if (d == null) {
                nonMatedFte++;
                nonMated.add(Double.NaN);
                searches.add(new NonMatedSearch(single.images().get(0), null, Double.NaN));
                continue;
            }
            Candidate best = best(search.scores(single.images().get(0), d, -1));
            nonMated.add(best.score());
            searches.add(new NonMatedSearch(single.images().get(0), best.index() < 0 ? null : names.get(best.index()),
                    best.score()));
        }
        for (Stranger stranger : strangers) {
            Candidate best = best(norm.scores(stranger.descriptor(), -1));
            nonMatedIdentity.add("stranger:" + stranger.source());
            nonMated.add(best.score());
            searches.add(new NonMatedSearch(Path.of(stranger.source()), best.index() < 0 ? null : names.get(best.index()),
                    best.score()));
        }
        boolean[] top = new boolean[mateTop.size()];
        for (int i = 0; i < top.length; i++) {
            top[i] = mateTop.get(i);
        }
        IdentificationMetrics metrics = new IdentificationMetrics(mateScores.stream().mapToDouble(Double::doubleValue).toArray(),
                top, nonMated.stream().mapToDouble(Double::doubleValue).toArray());
        return new Result(metrics, templates.size(), enrolFailures, matedIdentity, nonMatedIdentity, matedFte, nonMatedFte,
                List.copyOf(searches), search.tally());
    }

    /** The template of the images' descriptors that exist, or null when none does. */
    static float[] meanTemplate(List<Path> images, Map<Path, float[]> descriptors) {
        List<float[]> found = images.stream().map(descriptors::get).filter(java.util.Objects::nonNull).toList();
        return found.isEmpty() ? null : Enrolment.normalisedMean(found);
    }

    /** The best-scoring template. */
    record Candidate(int index, double score) {}

    static Candidate best(double[] scores) {
        double best = Double.NEGATIVE_INFINITY;
        int index = -1;
        for (int o = 0; o < scores.length; o++) {
            double s = scores[o];
            if (s > best) {
                best = s;
                index = o;
            }
        }
        return new Candidate(index, best);
    }

    static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }
}
