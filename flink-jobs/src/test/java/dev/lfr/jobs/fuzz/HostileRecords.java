package dev.lfr.jobs.fuzz;

import dev.lfr.jobs.deadletter.Provenance;
import dev.lfr.jobs.ingest.RawRecord;
import dev.lfr.schemas.Adjudication;
import dev.lfr.schemas.AvroBytes;
import dev.lfr.schemas.Deployment;
import dev.lfr.schemas.DeploymentStatus;
import dev.lfr.schemas.FrameEvent;
import dev.lfr.schemas.ImageEncoding;
import dev.lfr.schemas.Verdict;
import dev.lfr.schemas.WatchlistOp;
import dev.lfr.schemas.WatchlistUpdate;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import org.apache.avro.specific.SpecificRecord;

/**
 * Records an attacker or a careless operator could put on each input topic: valid records, records with extreme
 * values in every field (empty, huge, control characters, NaN, infinities, times decades off, unknown enum symbols),
 * and their Avro bytes mutated (truncated, bit-flipped, extended, replaced), plus tombstones and wrong keys.
 */
public final class HostileRecords {
    /** Fuzzed deployments never list this camera, so the job-level run can follow real frames on it. */
    public static final String KEPT_CAMERA = "cam-1";

    private final Instant now;
    private final List<byte[]> images;
    private final String model;
    private final int dimension;

    /**
     * @param now    the instant the times are spread around
     * @param images image bytes frames may carry (real JPEGs make fuzzed frames reach the face models)
     */
    public HostileRecords(Instant now, List<byte[]> images, String model, int dimension) {
        this.now = now;
        this.images = List.copyOf(images);
        this.model = model;
        this.dimension = dimension;
    }

    public Arbitrary<String> ids(String... usual) {
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(6, Arbitraries.of(usual)),
                net.jqwik.api.Tuple.of(1, Arbitraries.of("", " ", "a/b", "x".repeat(200), "cam\u0000", "\u202e<script>")),
                net.jqwik.api.Tuple.of(1, Arbitraries.strings().ofMaxLength(12)));
    }

    public Arbitrary<Instant> times() {
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(6, Arbitraries.longs().between(-3_600_000L, 60_000L).map(now::plusMillis)),
                net.jqwik.api.Tuple.of(2, Arbitraries.of(Instant.EPOCH, now.plus(Duration.ofDays(365L * 30)),
                        now.minus(Duration.ofDays(3)), now.plus(Duration.ofMinutes(6)), Instant.ofEpochMilli(Long.MIN_VALUE + 1),
                        Instant.ofEpochMilli(Long.MAX_VALUE), Instant.ofEpochMilli(-1))));
    }

    public Arbitrary<Float> floats() {
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(4, Arbitraries.floats().between(0.3f, 1f)),
                net.jqwik.api.Tuple.of(2, Arbitraries.of(Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY,
                        -0f, 0f, Float.MIN_VALUE, Float.MAX_VALUE, -1f, 0.05f, 1.0001f)));
    }

    public Arbitrary<FrameEvent> frames() {
        Arbitrary<byte[]> image = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(4, Arbitraries.of(images)),
                net.jqwik.api.Tuple.of(1, Arbitraries.of(images).map(b -> Arrays.copyOf(b, b.length / 3))),
                net.jqwik.api.Tuple.of(1, Arbitraries.bytes().array(byte[].class).ofMaxSize(64)));
        Arbitrary<Integer> side = Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(4, Arbitraries.integers().between(1, 4096)),
                net.jqwik.api.Tuple.of(1, Arbitraries.of(0, -1, Integer.MIN_VALUE, Integer.MAX_VALUE, 16_385)));
        return Combinators.combine(ids(KEPT_CAMERA, "cam-2", "cam-3"), Arbitraries.longs().between(-2, Long.MAX_VALUE),
                times(), side, side, Arbitraries.of(ImageEncoding.class), image,
                Arbitraries.of("d1", "", "x".repeat(300)).injectNull(0.7))
                .as((camera, sequence, time, w, h, encoding, bytes, deployment) -> FrameEvent.newBuilder()
                        .setCamera(camera).setSequence(sequence).setCaptureTime(time).setWidth(w).setHeight(h)
                        .setEncoding(encoding).setImage(ByteBuffer.wrap(bytes)).setDeployment(deployment).build());
    }

    public Arbitrary<Deployment> deployments() {
        Arbitrary<List<String>> cameras = ids("cam-2", "cam-3", "cam-4").list().ofMaxSize(4)
                .map(c -> c.stream().map(x -> KEPT_CAMERA.equals(x) ? "cam-5" : x).toList());
        return Combinators.combine(ids("d-fuzz-1", "d-fuzz-2"), cameras, times(),
                Arbitraries.longs().between(-1000, 2 * 86_400_000L), ids("wl-fuzz", "wl-d1"), floats(),
                Arbitraries.of(DeploymentStatus.class))
                .as((id, cams, start, length, watchlist, threshold, status) -> Deployment.newBuilder().setId(id)
                        .setCameras(cams).setStart(start).setEnd(plus(start, length)).setWatchlist(watchlist)
                        .setThreshold(threshold).setStatus(status).setAuthorisedBy("supt-1").setSignageConfirmed(true).build());
    }

    public Arbitrary<WatchlistUpdate> watchlistUpdates() {
        Arbitrary<List<Float>> vectors = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(3, Arbitraries.integers().map(seed -> unitVector(seed, dimension))),
                net.jqwik.api.Tuple.of(1, floats().list().ofMaxSize(8)),
                net.jqwik.api.Tuple.of(1, Arbitraries.integers().between(0, dimension - 1)
                        .map(i -> withNaN(unitVector(i, dimension), i))))
                .injectNull(0.1);
        Arbitrary<Long> versions = Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(9, Arbitraries.longs().between(-1, 1_000)),
                net.jqwik.api.Tuple.of(1, Arbitraries.of(Long.MAX_VALUE, Long.MIN_VALUE)));
        return Combinators.combine(ids("wl-fuzz", "wl-d1"), ids("s-1", "s-2"), versions,
                Arbitraries.of(WatchlistOp.class), Arbitraries.of(model, "dlib-resnet-128", ""), vectors,
                times().injectNull(0.5))
                .as((watchlist, subject, version, op, m, vector, expiry) -> WatchlistUpdate.newBuilder()
                        .setWatchlist(watchlist).setSubject(subject).setVersion(version).setOp(op).setEmbeddingModel(m)
                        .setVector(vector).setExpiry(expiry).build());
    }

    public Arbitrary<Adjudication> adjudications() {
        return Combinators.combine(ids("a-1", "a-2"), Arbitraries.of(Verdict.class), ids("pc-1", "pc-2"), times())
                .as((alert, verdict, officer, time) -> Adjudication.newBuilder().setAlertId(alert).setVerdict(verdict)
                        .setOfficer(officer).setTime(time).build());
    }

    /** Raw frame records: mostly whole records, some mutated bytes. */
    public Arbitrary<RawRecord> frameRecords() {
        return raw("lfr.frames", frames(), f -> f.getCamera());
    }

    public Arbitrary<RawRecord> deploymentRecords() {
        return raw("lfr.deployments", deployments(), Deployment::getId);
    }

    public Arbitrary<RawRecord> watchlistRecords() {
        return raw("lfr.watchlist", watchlistUpdates(), u -> u.getWatchlist() + "/" + u.getSubject());
    }

    public Arbitrary<RawRecord> adjudicationRecords() {
        return raw("lfr.adjudications", adjudications(), Adjudication::getAlertId);
    }

    private <T extends SpecificRecord> Arbitrary<RawRecord> raw(String topic, Arbitrary<T> records, Function<T, String> key) {
        Arbitrary<byte[][]> keyed = records.map(r -> new byte[][] {bytes(key.apply(r)), AvroBytes.encode(r)});
        Arbitrary<byte[][]> mutated = Combinators.combine(keyed, Arbitraries.integers(), Arbitraries.integers().between(0, 5))
                .as((kv, seed, how) -> new byte[][] {kv[0], mutate(kv[1], new Random(seed), how)});
        Arbitrary<byte[][]> odd = Arbitraries.of(new byte[][] {bytes("k"), null}, new byte[][] {null, null},
                new byte[][] {bytes("wrong-key"), null});
        return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(6, keyed), net.jqwik.api.Tuple.of(3, mutated),
                        net.jqwik.api.Tuple.of(1, odd))
                .map(kv -> new RawRecord(new Provenance(topic, 0, 0), kv[0], kv[1], 0));
    }

    /** Truncated, bit-flipped, extended, zeroed in a run, replaced by random bytes, or emptied. */
    static byte[] mutate(byte[] v, Random r, int how) {
        byte[] out;
        switch (how) {
            case 0 -> out = Arrays.copyOf(v, r.nextInt(Math.max(1, v.length)));
            case 1 -> {
                out = v.clone();
                for (int i = 1 + r.nextInt(4); i > 0 && out.length > 0; i--) {
                    out[r.nextInt(out.length)] ^= (byte) (1 << r.nextInt(8));
                }
            }
            case 2 -> {
                out = Arrays.copyOf(v, v.length + 1 + r.nextInt(16));
                for (int i = v.length; i < out.length; i++) {
                    out[i] = (byte) r.nextInt();
                }
            }
            case 3 -> {
                out = v.clone();
                int at = r.nextInt(Math.max(1, out.length));
                Arrays.fill(out, at, Math.min(out.length, at + 1 + r.nextInt(8)), (byte) 0xFF);
            }
            case 4 -> {
                out = new byte[r.nextInt(48)];
                r.nextBytes(out);
            }
            default -> out = new byte[0];
        }
        return out;
    }

    /** {@code start + ms}, or {@code start} where that is past what a millisecond timestamp can hold. */
    private static Instant plus(Instant start, long ms) {
        try {
            return Instant.ofEpochMilli(Math.addExact(start.toEpochMilli(), ms));
        } catch (ArithmeticException e) {
            return start;
        }
    }

    private static byte[] bytes(String s) {
        return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
    }

    private static List<Float> withNaN(List<Float> v, int at) {
        List<Float> out = new ArrayList<>(v);
        out.set(at, Float.NaN);
        return out;
    }

    /** A random unit vector, the same for the same seed. */
    public static List<Float> unitVector(int seed, int dimension) {
        Random r = new Random(seed);
        float[] v = new float[dimension];
        double norm = 0;
        for (int i = 0; i < dimension; i++) {
            v[i] = (float) r.nextGaussian();
            norm += v[i] * v[i];
        }
        List<Float> out = new ArrayList<>(Collections.nCopies(dimension, 0f));
        for (int i = 0; i < dimension; i++) {
            out.set(i, (float) (v[i] / Math.sqrt(norm)));
        }
        return out;
    }
}
