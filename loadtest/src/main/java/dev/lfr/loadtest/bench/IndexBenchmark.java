package dev.lfr.loadtest.bench;

import dev.lfr.udfs.index.ExactJavaIndex;
import dev.lfr.udfs.index.FaissIndex;
import dev.lfr.udfs.index.WatchlistIndex;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/**
 * Watchlist index speed: for each dimension and row count, builds each implementation once (timed), then runs query
 * batches of each size. Rows are synthetic and clustered like face descriptors (2,000 random centres; each row a
 * centre plus Gaussian noise of norm about 0.6, so neighbours within a cluster have cosine about 0.85); queries are
 * fresh rows drawn the same way. ClusteredRows is generated from a fixed seed, so every implementation sees the same rows.
 * HNSW rows also report recall@1 against FAISS flat (or the Java index) on the same data.
 */
public final class IndexBenchmark {
    public static final List<String> IMPLS = List.of("faiss-flat", "faiss-hnsw", "java-exact", "faiss-sq8", "faiss-hnsw-sq8");

    /** One configuration's result; {@code recallAt1} is null for exact indexes. */
    public record Row(String impl, int rows, int dim, int batch, double usPerQuery, double buildMs,
                      double bytesPerRow, Double recallAt1, int queries, int threads, String detail) {}

    /** HNSW settings: 32 links, efConstruction 80; efSearch values are an option (default 128). */
    public static final int HNSW_M = 32;
    public static final int HNSW_EF_CONSTRUCTION = 80;


    private final int maxQueries;
    private final double maxSecondsPerConfig;
    private final int searchThreads;
    private final int[] efSearch;

    /**
     * @param maxQueries          queries per configuration (rounded up to whole batches)
     * @param maxSecondsPerConfig stop a configuration early after this long (at least one batch runs), so slow
     *                            exhaustive searches over a million rows finish
     */
    public IndexBenchmark(int maxQueries, double maxSecondsPerConfig, int searchThreads, int[] efSearch) {
        this.maxQueries = maxQueries;
        this.maxSecondsPerConfig = maxSecondsPerConfig;
        this.searchThreads = searchThreads;
        this.efSearch = efSearch;
    }

    /** Builds use every core (a watchlist load is a one-off); searches use {@code searchThreads}. */
    private static void faissThreads(int threads) {
        if (FaissIndex.nativeAvailable()) {
            FaissIndex.setThreads(threads);
        }
    }

    public void run(List<String> impls, int[] dims, int[] rowCounts, int[] batches, Consumer<Row> out) {
        for (int dim : dims) {
            for (int rows : rowCounts) {
                ClusteredRows data = new ClusteredRows(dim, 7L * dim + rows);
                float[][] queries = data.queries(Math.max(maxQueries, max(batches)));
                long[] truth = null;
                for (String impl : impls) {
                    Runtime rt = Runtime.getRuntime();
                    long heapBefore = usedHeap(rt);
                    long committedBefore = rt.totalMemory();
                    long rssBefore = residentBytes();
                    long t0 = System.nanoTime();
                    faissThreads(Runtime.getRuntime().availableProcessors());
                    try (WatchlistIndex index = create(impl, dim)) {
                        data.fill(index, rows);
                        double buildMs = (System.nanoTime() - t0) / 1e6;
                        faissThreads(searchThreads);
                        // the Java heap's live growth, plus what the process grew by outside the heap (FAISS)
                        long heapGrowth = Math.max(0, usedHeap(rt) - heapBefore);
                        long nativeGrowth = Math.max(0, residentBytes() - rssBefore - (rt.totalMemory() - committedBefore));
                        double bytesPerRow = (double) (heapGrowth + nativeGrowth) / rows;
                        if (impl.equals("faiss-flat") || impl.equals("java-exact")) {
                            for (int batch : batches) {
                                out.accept(measure(index, impl, rows, dim, batch, queries, buildMs, bytesPerRow, null, ""));
                            }
                            continue;
                        }
                        if (truth == null) {
                            truth = exactTop1(impls.contains("faiss-flat") && FaissIndex.nativeAvailable()
                                    ? "faiss-flat" : "java-exact", data, rows, queries);
                        }
                        if (impl.equals("faiss-sq8")) { // exhaustive, approximate only in its 8-bit codes
                            double recall = recall(index, queries, truth);
                            for (int batch : batches) {
                                out.accept(measure(index, impl, rows, dim, batch, queries, buildMs, bytesPerRow, recall, "SQ8"));
                            }
                            continue;
                        }
                        // one graph, several search breadths: the speed/recall trade-off without rebuilding
                        for (int ef : efSearch) {
                            ((FaissIndex) index).setEfSearch(ef);
                            double recall = recall(index, queries, truth);
                            String detail = "M=" + HNSW_M + " efC=" + HNSW_EF_CONSTRUCTION + " efS=" + ef
                                    + (impl.endsWith("sq8") ? " SQ8" : "");
                            for (int batch : batches) {
                                out.accept(measure(index, impl, rows, dim, batch, queries, buildMs, bytesPerRow, recall,
                                        detail));
                            }
                        }
                    }
                }
            }
        }
    }

    private Row measure(WatchlistIndex index, String impl, int rows, int dim, int batch, float[][] queries,
                        double buildMs, double bytesPerRow, Double recall, String hnswDetail) {
        float[][] warm = java.util.Arrays.copyOfRange(queries, 0, batch);
        long warmUntil = System.nanoTime() + 500_000_000L; // JIT and caches: half a second, or 10 calls at least
        for (int i = 0; i < 10 || System.nanoTime() < warmUntil; i++) {
            index.search(warm, 5);
        }
        int done = 0;
        long t0 = System.nanoTime();
        while (done < maxQueries) {
            int from = done % (queries.length - batch + 1);
            index.search(java.util.Arrays.copyOfRange(queries, from, from + batch), 5);
            done += batch;
            if ((System.nanoTime() - t0) / 1e9 > maxSecondsPerConfig) {
                break;
            }
        }
        double us = (System.nanoTime() - t0) / 1e3 / done;
        String detail = impl.equals("java-exact") ? ((ExactJavaIndex) index).dotProduct() : hnswDetail;
        return new Row(impl, rows, dim, batch, us, buildMs, bytesPerRow, recall, done,
                impl.startsWith("faiss") ? searchThreads : 1, detail);
    }

    private long[] exactTop1(String impl, ClusteredRows data, int rows, float[][] queries) {
        try (WatchlistIndex exact = create(impl, data.dim)) {
            data.fill(exact, rows);
            WatchlistIndex.Neighbours[] n = exact.search(queries, 1);
            long[] top = new long[n.length];
            for (int i = 0; i < n.length; i++) {
                top[i] = n[i].id(0);
            }
            return top;
        }
    }

    private static double recall(WatchlistIndex index, float[][] queries, long[] truth) {
        WatchlistIndex.Neighbours[] n = index.search(queries, 1);
        int hits = 0;
        for (int i = 0; i < n.length; i++) {
            hits += n[i].id(0) == truth[i] ? 1 : 0;
        }
        return (double) hits / n.length;
    }

    private WatchlistIndex create(String impl, int dim) {
        return switch (impl) {
            case "faiss-flat" -> FaissIndex.flat(dim);
            case "faiss-hnsw" -> FaissIndex.hnsw(dim, HNSW_M, HNSW_EF_CONSTRUCTION, efSearch[0]);
            case "faiss-sq8" -> FaissIndex.sq8(dim);
            case "faiss-hnsw-sq8" -> FaissIndex.hnsw(dim, HNSW_M, HNSW_EF_CONSTRUCTION, efSearch[0], true);
            case "java-exact" -> new ExactJavaIndex(dim);
            default -> throw new IllegalArgumentException("unknown index '" + impl + "'; choose from " + IMPLS);
        };
    }

    private static int max(int[] a) {
        return java.util.Arrays.stream(a).max().orElse(1);
    }

    private static long usedHeap(Runtime rt) {
        System.gc();
        return rt.totalMemory() - rt.freeMemory();
    }

    private static long residentBytes() {
        try {
            return Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("VmRSS:"))
                    .mapToLong(l -> Long.parseLong(l.replaceAll("\\D", "")) * 1024).findFirst().orElse(0);
        } catch (Exception e) {
            return 0;
        }
    }
}
