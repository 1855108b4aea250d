package dev.lfr.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import dev.lfr.cluster.Builds;
import dev.lfr.cluster.LocalCluster;
import dev.lfr.gateway.GatewayConfig;
import dev.lfr.jobs.SinkDelivery;
import dev.lfr.loadtest.bench.EngineBenchmark;
import dev.lfr.loadtest.bench.IndexBenchmark;
import dev.lfr.loadtest.bench.KeyedStateFootprint;
import dev.lfr.loadtest.bench.PeerBenchmark;
import dev.lfr.loadtest.bench.RecoveryBenchmark;
import dev.lfr.loadtest.bench.StartupBenchmark;
import dev.lfr.loadtest.replay.ReplayReport;
import dev.lfr.udfs.index.FaissIndex;
import dev.lfr.udfs.index.WatchlistIndexes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.flink.connector.base.DeliveryGuarantee;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "bench", description = "Benchmarks (speed is measured here, never in tests)",
        subcommands = {BenchCommand.Engine.class, BenchCommand.Index.class, BenchCommand.Peer.class, BenchCommand.State.class,
            BenchCommand.Watchlist.class, BenchCommand.Startup.class, BenchCommand.Delivery.class,
            BenchCommand.Recovery.class, BenchCommand.GatewayBench.class})
final class BenchCommand extends LfrCommand.Group {
    @Command(name = "engine", description = {
            "Face engine stage timings on one thread: decode, detect (one pass, per 256x256 pass, tiled), align, embed",
            "at batch 1 and 8, and faces/s on one core. Default image: a sample photo from the fetched npm package,",
            "centre-cropped to 1920x1080 and re-encoded as JPEG (quality 90)."})
    static final class Engine extends LfrCommand implements Callable<Integer> {
        @Option(names = "--image", paramLabel = "JPEG", description = "benchmark this JPEG instead")
        Path image;

        @Option(names = "--iterations", paramLabel = "N", description = "measured iterations per stage (default 50)")
        int iterations = 50;

        @Option(names = "--tile", paramLabel = "PX", description = "tile size for the tiled detection (default 384)")
        int tile = 384;

        @Option(names = "--json", description = "print JSON instead of a table")
        boolean json;

        @Option(names = "--embedder", paramLabel = "ID", description = "an embedder id, or 'all' (default)")
        String embedder = "all";

        @Override
        public Integer call() throws Exception {
            if (iterations < 1 || tile < 0) {
                throw new UserError("--iterations must be >= 1 and --tile >= 0");
            }
            if (image != null && !Files.isRegularFile(image)) {
                throw new UserError("no such image: " + image);
            }
            EngineOptions opts = new EngineOptions();
            EngineBenchmark.Result r = EngineBenchmark.run(opts.models(), image, iterations, tile,
                    "all".equals(embedder) ? null : embedder);
            out().println(json ? new ObjectMapper().writerWithDefaultPrettyPrinter()
                    .writeValueAsString(r) : r.table());
            return 0;
        }
    }

    @Command(name = "index", description = {
            "Watchlist index speed: one JSON object per configuration (impl, rows, dim, batch, us_per_query, build_ms,",
            "bytes_per_row, recall_at_1 for HNSW). Without options it runs every configuration of the issue: dims 128",
            "and 512, rows 1k to 1M, batches 1, 8 and 64, FAISS flat, FAISS HNSW and the Java index (a 1M x 512 run",
            "needs about 12 GB of heap: LFR_JAVA_OPTS=-Xmx14g)."})
    static final class Index extends LfrCommand implements Callable<Integer> {
        @Option(names = "--rows", paramLabel = "N", split = ",", description = "row counts (default 1000,10000,100000,1000000)")
        int[] rows = {1_000, 10_000, 100_000, 1_000_000};

        @Option(names = "--dim", paramLabel = "D", split = ",", description = "dimensions (default 128,512)")
        int[] dims = {128, 512};

        @Option(names = "--batch", paramLabel = "B", split = ",", description = "queries per search call (default 1,8,64)")
        int[] batches = {1, 8, 64};

        @Option(names = "--impl", paramLabel = "I", split = ",",
                description = "faiss-flat, faiss-hnsw, java-exact, faiss-sq8, faiss-hnsw-sq8 (default the first three)")
        List<String> impls = IndexBenchmark.IMPLS.subList(0, 3);

        @Option(names = "--queries", paramLabel = "Q", description = "queries per configuration (default 2048)")
        int queries = 2048;

        @Option(names = "--max-seconds", paramLabel = "S", description = "time limit per configuration (default 20)")
        double maxSeconds = 20;

        @Option(names = "--threads", paramLabel = "T",
                description = "threads FAISS searches with (default 1: one core, as a Flink subtask runs it)")
        int threads = 1;

        @Option(names = "--ef-search", paramLabel = "EF", split = ",",
                description = "HNSW search breadths, each measured on the same graph (default 128)")
        int[] efSearch = {128};

        @Override
        public Integer call() throws Exception {
            for (String impl : impls) {
                if (!IndexBenchmark.IMPLS.contains(impl)) {
                    throw new UserError("unknown --impl " + impl + "; choose from " + IndexBenchmark.IMPLS);
                }
                if (impl.startsWith("faiss") && !FaissIndex.nativeAvailable()) {
                    throw new UserError("FAISS is unavailable: " + FaissIndex.nativeLoadError());
                }
            }
            if (queries < 1 || threads < 1 || java.util.Arrays.stream(efSearch).anyMatch(e -> e < 1)
                    || !(maxSeconds > 0 && maxSeconds < 1e6) || java.util.Arrays.stream(rows).anyMatch(r -> r < 1)
                    || java.util.Arrays.stream(dims).anyMatch(d -> d < 1)
                    || java.util.Arrays.stream(batches).anyMatch(b -> b < 1)) {
                throw new UserError("--rows, --dim, --batch, --queries, --threads and --max-seconds must be positive");
            }
            ObjectMapper mapper = new ObjectMapper().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);
            new IndexBenchmark(queries, maxSeconds, threads, efSearch).run(impls, dims, rows, batches, row -> {
                try {
                    out().println(mapper.writeValueAsString(row));
                    out().flush();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            return 0;
        }
    }

    @Command(name = "peer", description = {
            "Our engine against face-api.js (npm @vladmandic/face-api on the tfjs WebAssembly backend) on the same images in",
            "the same run: faces/s and images/s of both, and our ratio. Installs the peer's npm packages in loadtest/peer",
            "on first use. Prints one JSON object."})
    static final class Peer extends LfrCommand implements Callable<Integer> {
        @Option(names = "--data", paramLabel = "DIR", description = "images, searched recursively in name order (default ../shared/data/lfw)")
        Path data;

        @Option(names = "--images", paramLabel = "N", description = "how many images (default 200)")
        int images = 200;

        @Option(names = "--backend", paramLabel = "B", description = "the peer's tfjs backend: wasm (default) or cpu")
        String backend = "wasm";

        @picocli.CommandLine.Mixin
        EngineOptions engine;

        @Override
        public Integer call() throws Exception {
            Path dir = SharedData.require(data != null ? data : SharedData.dir("lfw"), "images");
            if (images < 1) {
                throw new UserError("--images must be positive");
            }
            Path peerDir = Path.of(System.getProperty("lfr.root", ".")).resolve("loadtest/peer");
            if (!java.nio.file.Files.isRegularFile(peerDir.resolve("peer.mjs"))) {
                throw new UserError("run from the repository root: loadtest/peer/peer.mjs is not here");
            }
            try {
                printJson(PeerBenchmark.compare(engine.models(), engine.embeddingModel(), dir, images, peerDir, backend));
            } catch (PeerBenchmark.PeerFailure e) {
                throw new UserError(e.getMessage());
            }
            return 0;
        }
    }

    @Command(name = "state", description = {
            "The keyed state of one camera in the face matcher (tracks and next id) while a real detector and the tracker",
            "follow walk-past scenes of the sample faces: heap bytes (deep object size) and checkpoint bytes. JSON."})
    static final class State extends LfrCommand implements Callable<Integer> {
        @Option(names = "--faces", paramLabel = "N", description = "faces in view at once (default 4)")
        int faces = 4;

        @Option(names = "--frames", paramLabel = "N", description = "frames to follow (default 100)")
        int frames = 100;

        @Option(names = "--fps", paramLabel = "F", description = "frame rate of the camera (default 5)")
        double fps = 5;

        @picocli.CommandLine.Mixin
        EngineOptions engine;

        @Override
        public Integer call() throws Exception {
            if (faces < 1 || frames < 1 || !GatewayConfig.isCameraRate(fps)) {
                throw new UserError("--faces and --frames must be positive, --fps above 0 and at most " + GatewayConfig.MAX_FPS);
            }
            printJson(KeyedStateFootprint.measure(engine.setup(), frames, fps, faces));
            return 0;
        }
    }

    @Command(name = "watchlist", description = {
            "A live watchlist of N rows taking updates while it is searched, as the matcher does: enrolments,",
            "template replacements and deletions in turn, each followed by a search that must already see it.",
            "One JSON object per row count: load time, update latency p50/p99/max (how long a camera's frames wait),",
            "search latency, updates not visible to the next search (must be 0), heap after the load and the resident",
            "memory the load added, by phase: while a graph index is built in the background, steady, and (--rebuild)",
            "while a graph full of tombstones is rebuilt in the background, and (--growth N) an enrolment drive of N new",
            "subjects, past the room the index had.",
            "A 1M x 512 run needs about 8 GB of heap (LFR_JAVA_OPTS=-Xmx10g) and many minutes for the HNSW builds."})
    static final class Watchlist extends LfrCommand implements Callable<Integer> {
        @Option(names = "--rows", paramLabel = "N", split = ",", description = "row counts (default 10000,100000)")
        int[] rows = {10_000, 100_000};

        @Option(names = "--dim", paramLabel = "D", description = "descriptor length (default 512)")
        int dim = 512;

        @Option(names = "--updates", paramLabel = "U", description = "updates per run (default 1000)")
        int updates = 1_000;

        @Option(names = "--load-threads", paramLabel = "T", description = "FAISS threads for the load and background builds (default 1, as the matcher)")
        int loadThreads = 1;

        @picocli.CommandLine.Mixin
        IndexOption index = new IndexOption();

        @Option(names = "--updates-per-minute", paramLabel = "R", description = "the pace of the updates (default 1000)")
        int updatesPerMinute = 1_000;

        @Option(names = "--rebuild", description = "then delete rows until a graph index is rebuilt, and measure that too")
        boolean rebuild;

        @Option(names = "--growth", paramLabel = "N", description = "last, an enrolment drive: N new subjects (default 0)")
        int growth;

        @Option(names = "--growth-per-minute", paramLabel = "R", description = "the drive's pace (default 60000)")
        int growthPerMinute = 60_000;

        @Override
        public Integer call() throws Exception {
            if (dim < 1 || updates < 3 || loadThreads < 1 || updatesPerMinute < 1 || growth < 0 || growthPerMinute < 1
                    || java.util.Arrays.stream(rows).anyMatch(n -> n < 1)) {
                throw new UserError("--rows, --dim, --load-threads, --updates-per-minute and --growth-per-minute must be"
                        + " >= 1, --updates >= 3, --growth >= 0");
            }
            WatchlistIndexes.Choice choice = index.choice();
            ObjectMapper json = new ObjectMapper().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);
            out().println(json.writeValueAsString(dev.lfr.loadtest.bench.WatchlistBenchmark.entrySizes(dim)));
            for (int n : rows) {
                out().println(json.writeValueAsString(
                        dev.lfr.loadtest.bench.WatchlistBenchmark.run(n, dim, updates, 42, loadThreads, choice, rebuild, updatesPerMinute,
                                growth, growthPerMinute)));
                out().flush();
            }
            return 0;
        }
    }

    @Command(name = "gateway", description = {
            "The camera gateway's cost per camera: N copies of a real H.264 clip (default: the 1080p 25 fps walk-towards clip",
            "of ../shared/data) streamed by ffmpeg as MPEG-TS over UDP, sampled to --fps and JPEG-encoded into an in-process",
            "broker for --seconds. One JSON object: frames sent per camera per second, the gateway's CPU in cores (its threads",
            "and FFmpeg's decoder threads), cameras and frames per core, capture-to-topic latency p50/p99/max, the load",
            "generator's CPU, and how long a camera took to be noticed as stopped and to come back after a restart."})
    static final class GatewayBench extends LfrCommand implements Callable<Integer> {
        @Option(names = "--cameras", paramLabel = "N", description = "cameras (default 4)")
        int cameras = 4;

        @Option(names = "--fps", paramLabel = "F", description = "frames per second kept per camera (default 5)")
        double fps = 5;

        @Option(names = "--seconds", paramLabel = "S", description = "measured seconds (default 30)")
        int seconds = 30;

        @Option(names = "--quality", paramLabel = "Q", description = "JPEG quality (default 85)")
        int quality = 85;

        @Option(names = "--clip", paramLabel = "FILE", description = "the clip (default ../shared/data/facenet_pytorch/_video/walking_pedestrians.mp4)")
        Path clip;

        @Option(names = "--transport", paramLabel = "T", description = "UDP (pushed, as an encoder would) or TCP (pulled, lossless; default ${DEFAULT-VALUE})")
        dev.lfr.loadtest.bench.GatewayBenchmark.Transport transport = dev.lfr.loadtest.bench.GatewayBenchmark.Transport.UDP;

        @Option(names = "--decode-all-frames", description = "decode B-frames too (the gateway's default skips them)")
        boolean decodeAllFrames;

        @Option(names = "--no-motion-gate", description = "send frames of a still scene too (the gateway's default holds them back)")
        boolean noMotionGate;

        @Override
        public Integer call() throws Exception {
            if (cameras < 1 || cameras > 256 || !GatewayConfig.isCameraRate(fps) || seconds < 5 || quality < 1 || quality > 100) {
                throw new UserError("--cameras is 1 to 256, --fps above 0 to 60, --seconds at least 5, --quality 1 to 100");
            }
            Path source = clip != null ? clip : SharedData.dir("facenet_pytorch").resolve("_video").resolve("walking_pedestrians.mp4");
            try {
                printJson(dev.lfr.loadtest.bench.GatewayBenchmark.run(source, cameras, fps, seconds, quality, transport, decodeAllFrames,
                        !noMotionGate));
            } catch (IllegalArgumentException e) {
                throw new UserError(e.getMessage());
            }
            return 0;
        }
    }

    @Command(name = "startup", description = {
            "A first start on a large watchlist topic: N entries plus one real face (a sample photo) on an in-process",
            "broker, then the job is submitted (MiniCluster, parallelism 1) while a camera sends that face twice a",
            "second. One JSON object: the time from submitting the job to its first alert, and the topic's size.",
            "A 1M x 512 run needs about 10 GB of heap (LFR_JAVA_OPTS=-Xmx12g) and 2 GB of disk."})
    static final class Startup extends LfrCommand implements Callable<Integer> {
        @Option(names = "--entries", paramLabel = "N", description = "watchlist entries besides the real face (default 100000)")
        int entries = 100_000;

        @picocli.CommandLine.Mixin
        IndexOption index = new IndexOption();

        @Option(names = "--timeout", paramLabel = "S", description = "give up after this many seconds without an alert (default 1800)")
        int timeout = 1800;

        @picocli.CommandLine.Mixin
        EngineOptions engine = new EngineOptions();

        @Override
        public Integer call() throws Exception {
            if (entries < 0 || timeout < 1) {
                throw new UserError("--entries must be >= 0 and --timeout >= 1");
            }
            printJson(StartupBenchmark.run(engine.models(), engine.embeddingModel(), entries,
                    index.choice(), timeout));
            return 0;
        }
    }

    @Command(name = "delivery", description = {
            "The cost of exactly-once sinks: the same walk-past replay (in-process broker, job on a MiniCluster,",
            "checkpoints every --checkpoint-ms, default 5000 as on a cluster) twice, with every sink at least once",
            "and with every sink exactly once (Kafka transactions, read_committed readers). One JSON object: per way,",
            "frame-to-alert latency, metrics delay (window end to readable) and alerts scored; reports in OUT/<way>/."})
    static final class Delivery extends LfrCommand implements Callable<Integer> {
        @picocli.CommandLine.Mixin
        ReplayOptions replay = new ReplayOptions(4, Path.of("bench-delivery"), 5_000); // a cluster's interval

        /** One way's figures. */
        record Way(String alertsDelivery, String recordsDelivery, ReplayReport.Latency alertLatency,
                   ReplayReport.MetricsDelay metricsDelay, ReplayReport.GroundTruth groundTruth) {}

        @Override
        public Integer call() throws Exception {
            replay.check();
            if (replay.noJob || !replay.delivery().equals(SinkDelivery.defaults())) {
                throw new UserError("the benchmark runs the job itself, with each guarantee in turn: leave out --cluster,"
                        + " --no-job, --alerts-delivery and --records-delivery");
            }
            Map<String, Way> ways = new LinkedHashMap<>();
            for (DeliveryGuarantee g : List.of(DeliveryGuarantee.AT_LEAST_ONCE, DeliveryGuarantee.EXACTLY_ONCE)) {
                replay.alertsDelivery = g.toString();
                replay.recordsDelivery = g.toString();
                Path dir = replay.out.resolve(g.toString());
                Files.createDirectories(dir);
                ReplayReport r = ReplayCommand.run(replay, out(), dir, false, ReplayCommand.Hooks.NONE);
                ways.put(g.toString(), new Way(g.toString(), g.toString(), r.latency(), r.metricsDelay(), r.groundTruth()));
            }
            printJson(Map.of("checkpoint_ms", replay.checkpointMs, "ways", ways));
            return 0;
        }
    }

    @Command(name = "recovery", description = {
            "Recovery on a cluster of processes: lfr cluster up (a broker, a JobManager, two TaskManagers of one slot),",
            "the job submitted at parallelism 2, then --rounds times each: a TaskManager kill -9 (a fresh one started)",
            "and a broker restart, each in the middle of a replay (2 cameras x 2 fps for 40 s, the sample faces).",
            "One JSON object: per failure, the time until the job ran again (each round and the median), and from",
            "each replay the alert latency p99 and the walk-pasts missed or split. The cluster is taken down at the end."})
    static final class Recovery extends LfrCommand implements Callable<Integer> {
        @Option(names = "--rounds", paramLabel = "N", description = "failures of each kind (default 3)")
        int rounds = 3;

        @Option(names = "--dir", paramLabel = "D", description = "the cluster's folder, with its logs and the replays' reports (default ${DEFAULT-VALUE})")
        Path dir = Path.of(".lfr/bench-recovery");

        @picocli.CommandLine.Mixin
        EngineOptions engine = new EngineOptions();

        @Override
        public Integer call() throws Exception {
            if (rounds < 1) {
                throw new UserError("--rounds must be positive");
            }
            if (Files.exists(dir.resolve("cluster.json"))) {
                throw new UserError(dir + " holds a cluster: lfr cluster down --dir " + dir + ", or another --dir");
            }
            LocalCluster cluster = LocalCluster.up(new LocalCluster.Settings(dir, 2, 1, "2g", 6, Map.of()),
                    Builds.ofThisCheckout());
            try {
                printJson(RecoveryBenchmark.run(cluster, c -> JobCommand.submit(c.rest(), Builds.ofThisCheckout().jobJar(),
                        c.state().bootstrap(), 2, null, List.of("--alert.gap", "3s", "--metrics.window", "10s")),
                        rounds, engine.setup(), dir.resolve("reports"), line -> {
                            out().println(line);
                            out().flush();
                        }));
            } finally {
                cluster.down();
            }
            return 0;
        }
    }

    /** The watchlist index layout, as the job's {@code watchlist.index} setting. */
    static final class IndexOption {
        @Option(names = "--index", paramLabel = "I", description = "auto, flat, sq8, hnsw or hnsw-sq8 (default auto), as watchlist.index")
        String name = "auto";

        WatchlistIndexes.Choice choice() {
            try {
                return WatchlistIndexes.Choice.parse(name);
            } catch (IllegalArgumentException e) {
                throw new UserError(e.getMessage());
            }
        }
    }
}
