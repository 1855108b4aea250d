package dev.lfr.loadtest.bench;

import dev.lfr.schemas.WatchlistOp;
import dev.lfr.schemas.WatchlistUpdate;
import dev.lfr.udfs.index.FaissIndex;
import dev.lfr.udfs.index.WatchlistIndexes;
import dev.lfr.udfs.watchlist.LiveWatchlist;
import dev.lfr.udfs.watchlist.LiveWatchlist.Update;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.HdrHistogram.Histogram;
import org.openjdk.jol.info.GraphLayout;

/**
 * How a {@link LiveWatchlist} of N rows ({@link ClusteredRows}, like face descriptors) takes updates while it is
 * searched, as the matcher uses it: each update is applied on the thread that also processes the camera's frames,
 * so its latency is how long those frames wait. After every update the next search must already see it (an upsert or
 * replacement is found as the best match of its own vector; a deletion is not found). Enrolments, template
 * replacements and deletions take turns, at a set pace (the watchlist topic's rate).
 *
 * <p>Phases: {@code steady} ({@code updates} updates); where the watchlist's index moves to a graph after the load,
 * first {@code while the graph is built} (updates until the background build is swapped in); with
 * {@code rebuild}, then deletions until the graph's tombstones call for a rebuild and
 * {@code while tombstones are rebuilt} (updates until that rebuild is swapped in); with {@code growth}, last an
 * {@code enrolment drive}: that many new subjects, at their own pace, each searched for after every hundredth
 * (the watchlist outgrows the room its index had, which is where an index that grows its arrays on the caller's
 * thread stalls it).
 */
public final class WatchlistBenchmark {
    /** One phase's figures; latencies in milliseconds. */
    public record Phase(String name, int updates, double seconds, String indexAtEnd, double updateP50Ms,
                        double updateP99Ms, double updateMaxMs, double searchP50Ms, double searchP99Ms,
                        double searchMaxMs, int notVisible) {}

    /**
     * One run: when the watchlist could first be searched and when its final index was in place, memory after the
     * load (the heap holds the vectors the broadcast state also holds; FAISS's copy is in the resident size), and
     * the phases.
     */
    public record Result(int rows, int dim, String indexChoice, double searchableAfterSeconds,
                         double finalIndexAfterSeconds, long heapBytesAfterLoad, long residentBytesAdded,
                         List<Phase> phases) {}

    /** Updates applied before the measured ones, so that the JIT's first compilations are not counted. */
    static final int WARM_UP = 30;

    private final Random r;
    private final long pauseNanos;
    private final ClusteredRows data;
    private final long seed;
    private final int rows;
    private int next;
    private long version = 2;

    private WatchlistBenchmark(int rows, int dim, long seed, int updatesPerMinute) {
        this.r = new Random(seed);
        this.pauseNanos = 60_000_000_000L / updatesPerMinute;
        this.data = new ClusteredRows(dim, seed);
        this.seed = seed;
        this.rows = rows;
        this.next = rows;
    }

    /**
     * @param loadThreads FAISS threads for the load and the background builds (the updates and searches run on the
     *                    caller's thread, as in the matcher)
     * @param rebuild     whether to delete rows until the graph is rebuilt, and measure that too
     * @param updatesPerMinute the pace of the measured updates (the watchlist topic's rate, not the frames')
     */
    public static Result run(int rows, int dim, int updates, long seed, int loadThreads,
                             WatchlistIndexes.Choice choice, boolean rebuild, int updatesPerMinute, int growth,
                             int growthPerMinute) {
        if (FaissIndex.nativeAvailable()) {
            FaissIndex.setThreads(loadThreads);
        }
        WatchlistBenchmark b = new WatchlistBenchmark(rows, dim, seed, updatesPerMinute);
        Runtime rt = Runtime.getRuntime();
        System.gc();
        long rssBefore = residentBytes();
        try (LiveWatchlist live = new LiveWatchlist(dim, choice)) {
            long t0 = System.nanoTime();
            List<Update> initial = new ArrayList<>(rows);
            for (int i = 0; i < rows; i++) {
                initial.add(new Update("wl", "s-" + i, 1, b.enrolled(i), LiveWatchlist.NO_EXPIRY));
            }
            live.load(initial);
            double searchable = (System.nanoTime() - t0) / 1e9;
            initial.clear();
            System.gc();
            long heapAfter = rt.totalMemory() - rt.freeMemory();
            long rssAfter = residentBytes();
            List<Phase> phases = new ArrayList<>();
            b.warmUp(live);
            if (live.indexStatus("wl").rebuilding()) {
                phases.add(b.phase(live, "while the graph is built", Integer.MAX_VALUE));
            }
            double finalIndex = (System.nanoTime() - t0) / 1e9;
            phases.add(b.phase(live, "steady", updates));
            if (rebuild && live.indexStatus("wl").kind().contains("hnsw")) {
                while (!live.indexStatus("wl").rebuilding()) {
                    live.apply(Update.deletion("wl", "s-" + b.r.nextInt(rows), b.version++));
                }
                phases.add(b.phase(live, "while tombstones are rebuilt", Integer.MAX_VALUE));
            }
            if (growth > 0) {
                phases.add(b.enrolmentDrive(live, growth, 60_000_000_000L / growthPerMinute));
            }
            return new Result(rows, dim, choice.name().toLowerCase(java.util.Locale.ROOT), searchable, finalIndex,
                    heapAfter, rssAfter - rssBefore, phases);
        }
    }

    private void warmUp(LiveWatchlist live) {
        for (int i = 0; i < WARM_UP; i++) {
            step(live, i);
        }
    }

    /**
     * Updates, each followed by a search, until {@code max} were made or (with {@code max} unbounded) until the
     * background build in flight was swapped in.
     */
    private Phase phase(LiveWatchlist live, String name, int max) {
        Histogram update = new Histogram(3);
        Histogram search = new Histogram(3);
        int notVisible = 0;
        int n = 0;
        long t0 = System.nanoTime();
        long due = System.nanoTime();
        while (n < max && (max != Integer.MAX_VALUE || live.indexStatus("wl").rebuilding())) {
            due += pauseNanos;
            java.util.concurrent.locks.LockSupport.parkNanos(due - System.nanoTime());
            long[] took = new long[2];
            notVisible += step(live, n, took) ? 0 : 1;
            update.recordValue(Math.max(1, took[0] / 1000));
            search.recordValue(Math.max(1, took[1] / 1000));
            n++;
        }
        return new Phase(name, n, (System.nanoTime() - t0) / 1e9, live.indexStatus("wl").kind(), ms(update, 50),
                ms(update, 99), update.getMaxValue() / 1000.0, ms(search, 50), ms(search, 99), search.getMaxValue() / 1000.0,
                notVisible);
    }

    /** {@code n} enrolments of new subjects, one every {@code pause}; every hundredth is searched for at once. */
    private Phase enrolmentDrive(LiveWatchlist live, int n, long pause) {
        Histogram update = new Histogram(3);
        Histogram search = new Histogram(3);
        int notVisible = 0;
        long t0 = System.nanoTime();
        long due = t0;
        for (int i = 0; i < n; i++) {
            due += pause;
            java.util.concurrent.locks.LockSupport.parkNanos(due - System.nanoTime());
            Update u = new Update("wl", "s-" + next++, 1, data.row(r), LiveWatchlist.NO_EXPIRY);
            long a = System.nanoTime();
            live.apply(u);
            update.recordValue(Math.max(1, (System.nanoTime() - a) / 1000));
            if (i % 100 == 99) {
                long b = System.nanoTime();
                LiveWatchlist.Hit hit = live.best("wl", new float[][] {u.vector()}, 0)[0];
                search.recordValue(Math.max(1, (System.nanoTime() - b) / 1000));
                notVisible += hit != null && hit.subject().equals(u.subject()) ? 0 : 1;
            }
        }
        return new Phase("enrolment drive", n, (System.nanoTime() - t0) / 1e9, live.indexStatus("wl").kind(),
                ms(update, 50), ms(update, 99), update.getMaxValue() / 1000.0, ms(search, 50), ms(search, 99),
                search.getMaxValue() / 1000.0, notVisible);
    }

    private boolean step(LiveWatchlist live, int i) {
        return step(live, i, new long[2]);
    }

    /** One update and the search after it; true if the search saw it. {@code took}: update and search nanoseconds. */
    private boolean step(LiveWatchlist live, int i, long[] took) {
        Update u = switch (i % 3) {
            case 0 -> new Update("wl", "s-" + next++, 1, data.row(r), LiveWatchlist.NO_EXPIRY);
            case 1 -> new Update("wl", "s-" + r.nextInt(rows), version++, data.row(r), LiveWatchlist.NO_EXPIRY);
            default -> Update.deletion("wl", "s-" + r.nextInt(rows), version++);
        };
        long a = System.nanoTime();
        live.apply(u);
        long b = System.nanoTime();
        // a deletion is probed with the subject's enrolled vector: found, it would still be matching
        float[] probe = u.isDeletion() ? enrolled(Integer.parseInt(u.subject().substring(2))) : u.vector();
        LiveWatchlist.Hit hit = live.best("wl", new float[][] {probe}, 0)[0];
        long c = System.nanoTime();
        took[0] = b - a;
        took[1] = c - b;
        boolean found = hit != null && hit.subject().equals(u.subject());
        return found != u.isDeletion();
    }

    private static double ms(Histogram h, double percentile) {
        return h.getValueAtPercentile(percentile) / 1000.0;
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
    private float[] enrolled(int i) {
        return data.row(new Random(seed * 1_000_003L + i));
    }

    /** The heap bytes (JOL) of one watchlist entry as the matcher's broadcast state keeps it, and as the topic's Avro record. */
    public record EntrySizes(int dim, long stateEntryHeapBytes, long avroRecordHeapBytes) {}

    public static EntrySizes entrySizes(int dim) {
        System.setProperty("jol.magicFieldOffset", "true");
        float[] v = new float[dim];
        List<Float> boxed = new ArrayList<>();
        for (int i = 0; i < dim; i++) {
            v[i] = (float) Math.sin(i); // distinct values: no boxed Float is shared
            boxed.add(v[i]);
        }
        Update entry = new Update("wl-0001", "subject-000001", 1, v, Long.MAX_VALUE);
        WatchlistUpdate record = WatchlistUpdate.newBuilder().setWatchlist("wl-0001").setSubject("subject-000001")
                .setVersion(1).setOp(WatchlistOp.UPSERT).setEmbeddingModel("fr-feature-512").setVector(boxed).build();
        PrintStream stdout = System.out;
        System.setOut(new PrintStream(OutputStream.nullOutputStream())); // JOL's notices would break the JSON output
        try {
            return new EntrySizes(dim, GraphLayout.parseInstance(entry).totalSize(),
                    GraphLayout.parseInstance(record).totalSize());
        } finally {
            System.setOut(stdout);
        }
    }
}
