package dev.lfr.loadtest.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lfr.udfs.engine.FaceEngine;
import dev.lfr.udfs.engine.FaceResult;
import dev.lfr.udfs.image.FrameImage;
import dev.lfr.udfs.image.ImageDecoder;
import dev.lfr.udfs.model.ModelStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Our engine against face-api.js (the most used open-source face pipeline in JavaScript) on the same images, in the
 * same run, on the same machine: both detect every face and compute a descriptor for it. Neither side decodes:
 * images are decoded once and handed over as raw pixels (RGB files for the peer, which runs in Node.js from
 * {@code loadtest/peer}). Ours runs on one thread; the peer's thread count is reported as its backend gives it.
 */
public final class PeerBenchmark {
    private PeerBenchmark() {}

    /**
     * Our engine and the peer on the same images, one thread each, and our ratio of each rate.
     *
     * @param data the folder the images came from
     */
    public record Comparison(String data, Speed ours, JsonNode peer, double facesPerSRatio, double imagesPerSRatio) {}

    /** The peer did not run: Node.js or npm missing, a failure, or more than the time allowed. */
    public static final class PeerFailure extends Exception {
        PeerFailure(IOException cause) {
            super("the peer (node loadtest/peer/peer.mjs) did not run: " + cause.getMessage(), cause);
        }
    }

    /**
     * Both engines on the first {@code count} JPEG and PNG files under {@code dir}, in name order, decoded once into
     * a scratch folder that is deleted after.
     *
     * @param peerDir loadtest/peer, with peer.mjs
     */
    public static Comparison compare(ModelStore models, String embeddingModel, Path dir, int count, Path peerDir,
                                     String backend) throws Exception {
        List<Path> files;
        try (var walk = Files.walk(dir)) {
            files = walk.filter(Files::isRegularFile)
                    .filter(p -> p.toString().toLowerCase(Locale.ROOT).matches(".*\\.(jpe?g|png)$"))
                    .sorted().limit(count).toList();
        }
        Path work = Files.createTempDirectory("lfr-peer");
        try {
            List<FrameImage> decoded = prepare(files, work);
            Speed ours;
            try {
                ours = ours(models, embeddingModel, decoded);
            } finally {
                decoded.forEach(FrameImage::close);
            }
            JsonNode peer;
            try {
                peer = peer(peerDir, work, backend, 1800);
            } catch (IOException e) {
                throw new PeerFailure(e);
            }
            return new Comparison(dir.toString(), ours, peer, ours.facesPerS() / peer.get("faces_per_s").asDouble(),
                    ours.imagesPerS() / peer.get("images_per_s").asDouble());
        } finally {
            try (var walk = Files.walk(work)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** Decodes the images and writes them as raw RGB plus images.json for the peer. */
    public static List<FrameImage> prepare(List<Path> images, Path work) throws IOException {
        Files.createDirectories(work);
        ImageDecoder decoder = new ImageDecoder();
        List<FrameImage> decoded = new ArrayList<>();
        List<PreparedImage> index = new ArrayList<>();
        for (Path p : images) {
            FrameImage f;
            try {
                f = decoder.decode(p);
            } catch (Exception e) {
                continue; // both sides skip what does not decode
            }
            String name = "img" + decoded.size();
            byte[] bgr = f.toBgrBytes();
            for (int i = 0; i + 2 < bgr.length; i += 3) {
                byte b = bgr[i];
                bgr[i] = bgr[i + 2];
                bgr[i + 2] = b;
            }
            Files.write(work.resolve(name + ".rgb"), bgr);
            index.add(new PreparedImage(name, f.width(), f.height(), p.toString()));
            decoded.add(f);
        }
        new ObjectMapper().writeValue(work.resolve("images.json").toFile(), index);
        return decoded;
    }

    /** An image as the peer reads it (images.json): raw RGB in {@code name.rgb}. */
    record PreparedImage(String name, int width, int height, String source) {}

    /** One engine's speed on the images, one thread. */
    public record Speed(String engine, int threads, int images, long faces, long facesDescribed, double seconds,
                        double imagesPerS, double facesPerS) {}

    /** Our engine on the decoded images, one thread, after a warm-up on the first three. */
    public static Speed ours(ModelStore models, String embeddingModel, List<FrameImage> images) throws Exception {
        try (FaceEngine engine = FaceEngine.withDefaults(models, embeddingModel)) {
            for (FrameImage f : images.subList(0, Math.min(3, images.size()))) {
                engine.analyse(f);
            }
            long detected = 0;
            long described = 0;
            long start = System.nanoTime();
            for (FrameImage f : images) {
                List<FaceResult> faces = engine.analyse(f);
                detected += faces.size();
                described += faces.stream().filter(r -> r.descriptor().isPresent()).count();
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            return new Speed("lfr (BlazeFace + " + embeddingModel + ", ONNX Runtime, quality gate)", 1, images.size(),
                    detected, described, seconds, images.size() / seconds, detected / seconds);
        }
    }

    /** Runs the peer (installing its npm packages on first use) and returns its JSON line. */
    public static JsonNode peer(Path peerDir, Path work, String backend, long timeoutSeconds) throws Exception {
        if (!Files.isDirectory(peerDir.resolve("node_modules"))) {
            run(peerDir, timeoutSeconds, "npm", "ci", "--no-audit", "--no-fund", "--silent");
        }
        String out = run(peerDir, timeoutSeconds, "node", "peer.mjs", work.toAbsolutePath().toString(), backend);
        String[] lines = out.strip().split("\n");
        return new ObjectMapper().readTree(lines[lines.length - 1]);
    }

    private static String run(Path dir, long timeoutSeconds, String... command) throws Exception {
        Path log = Files.createTempFile("lfr-peer", ".out");
        try {
            Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", command) + " took more than " + timeoutSeconds + " s");
            }
            String out = Files.readString(log, StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                String[] lines = out.strip().split("\n");
                throw new IOException(String.join(" ", command) + " failed: " + lines[lines.length - 1]);
            }
            return out;
        } finally {
            Files.deleteIfExists(log);
        }
    }
}
