package dev.lfr.loadtest.bench;

import dev.lfr.udfs.index.FaissIndex;
import dev.lfr.udfs.watchlist.LiveWatchlist;
import dev.lfr.udfs.watchlist.LiveWatchlist.Update;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.HdrHistogram.Histogram;

/**
 * How a {@link LiveWatchlist} of N rows ({@link ClusteredRows}, like face descriptors) takes updates while it is searched, as the matcher uses it: each update is
 * applied on the thread that also processes the camera's frames, so its latency is how long those frames wait. After
 * every update the next search must already see it (an upsert or replacement is found as the best match of its own
 * vector; a deletion is not found). Enrolments, template replacements and deletions take turns.
 */
public final class WatchlistBenchmark {
    /** One run's figures; latencies in milliseconds. */
    public record Result(int rows, int dim, String index, double loadSeconds, int updates, double updateP50Ms,
                         double updateP99Ms, double updateMaxMs, double searchP50Ms, double searchP99Ms,
                         int notVisible, long heapBytesAfterLoad, long residentBytesAdded) {}

    /** Updates applied before the measured ones, so that the JIT's first compilations are not counted. */
    static final int WARM_UP = 30;

    private WatchlistBenchmark() {}

    /** @param loadThreads FAISS threads for the load (the updates and searches then run on one, as in the matcher) */
    public static Result run(int rows, int dim, int updates, long seed, int loadThreads) {
        if (FaissIndex.nativeAvailable()) {
            FaissIndex.setThreads(loadThreads);
        }
        Random r = new Random(seed);
        ClusteredRows rows0 = new ClusteredRows(dim, seed);
        Runtime rt = Runtime.getRuntime();
        System.gc();
        long rssBefore = residentBytes();
        try (LiveWatchlist live = new LiveWatchlist(dim)) {
            long t0 = System.nanoTime();
            List<Update> initial = new ArrayList<>(rows);
            for (int i = 0; i < rows; i++) {
                initial.add(new Update("wl", "s-" + i, 1, enrolled(rows0, seed, i), LiveWatchlist.NO_EXPIRY));
            }
            live.load(initial);
            double loadSeconds = (System.nanoTime() - t0) / 1e9;
            if (FaissIndex.nativeAvailable()) {
                FaissIndex.setThreads(1); // as in the matcher
            }
            initial.clear(); // the vectors now live in the index only
            System.gc();
            long heapAfter = rt.totalMemory() - rt.freeMemory();
            long rssAfter = residentBytes(); // FAISS keeps its vectors off the Java heap

            Histogram update = new Histogram(3);
            Histogram search = new Histogram(3);
            int notVisible = 0;
            int next = rows;
            for (int i = -WARM_UP; i < updates; i++) {
                Update u;
                switch (i % 3) {
                    case 0 -> u = new Update("wl", "s-" + next++, 1, rows0.row(r), LiveWatchlist.NO_EXPIRY);
                    case 1, -1 -> u = new Update("wl", "s-" + r.nextInt(rows), 2L + WARM_UP + i, rows0.row(r),
                            LiveWatchlist.NO_EXPIRY);
                    default -> u = Update.deletion("wl", "s-" + r.nextInt(rows), 2L + WARM_UP + i);
                }
                long a = System.nanoTime();
                live.apply(u);
                long b = System.nanoTime();
                // a deletion is probed with the subject's enrolled vector: found, it would still be matching
                float[] probe = u.isDeletion()
                        ? enrolled(rows0, seed, Integer.parseInt(u.subject().substring(2))) : u.vector();
                LiveWatchlist.Hit hit = live.best("wl", new float[][] {probe}, 0)[0];
                long c = System.nanoTime();
                if (i < 0) {
                    continue;
                }
                update.recordValue(Math.max(1, (b - a) / 1000));
                search.recordValue(Math.max(1, (c - b) / 1000));
                boolean found = hit != null && hit.subject().equals(u.subject());
                if (found == u.isDeletion()) {
                    notVisible++;
                }
            }
            return new Result(rows, dim, live.indexKind("wl"), loadSeconds, updates, update.getValueAtPercentile(50) / 1000.0,
                    update.getValueAtPercentile(99) / 1000.0, update.getMaxValue() / 1000.0,
                    search.getValueAtPercentile(50) / 1000.0, search.getValueAtPercentile(99) / 1000.0, notVisible,
                    heapAfter, rssAfter - rssBefore);
        }
    }

    /** The process's resident memory (Linux), or 0 where /proc is not there. */
    private static long residentBytes() {
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (java.io.IOException | NumberFormatException e) {
            return 0;
        }
        return 0;
    }

    /** Subject i's first template, made again on demand rather than kept (a million of them would double the heap). */
    private static float[] enrolled(ClusteredRows rows, long seed, int i) {
        return rows.row(new Random(seed * 1_000_003L + i));
    }

}
