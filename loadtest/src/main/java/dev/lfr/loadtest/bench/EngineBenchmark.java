package dev.lfr.loadtest.bench;

import dev.lfr.loadtest.replay.ModelOnlyBound;
import dev.lfr.loadtest.timing.StageTimer;
import dev.lfr.udfs.align.AlignedFace;
import dev.lfr.udfs.align.FaceAligner;
import dev.lfr.udfs.detect.Detection;
import dev.lfr.udfs.detect.FaceDetector;
import dev.lfr.udfs.embed.FaceEmbedder;
import dev.lfr.udfs.engine.FaceEngine;
import dev.lfr.udfs.image.FrameImage;
import dev.lfr.udfs.image.ImageDecoder;
import dev.lfr.udfs.image.JpegCrops;
import dev.lfr.udfs.model.ModelStore;
import dev.lfr.udfs.quality.QualityGate;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;

/**
 * Per-stage timings of the face engine on one thread, on one 1920x1080 JPEG with several faces. Every stage runs
 * {@code iterations} times after a warm-up of a tenth of that (at least 3).
 */
public final class EngineBenchmark {
    public record EmbedderResult(String embedder, StageTimer.Stats alignPerFace, StageTimer.Stats embedBatch1PerFace,
                                 StageTimer.Stats embedBatch8PerFace, StageTimer.Stats endToEndFrame, int usableFaces,
                                 double facesPerSecondPerCore) {}

    public record Result(String image, int width, int height, int jpegBytes, int faces, int tileSize, int tiledPasses,
                         StageTimer.Stats decode, StageTimer.Stats detectFrame, StageTimer.Stats detect256Pass,
                         StageTimer.Stats detectTiledFrame, List<EmbedderResult> embedders,
                         Map<String, StageTimer.Stats> modelOnly, Map<String, String> machine) {
        public String table() {
            StringBuilder s = new StringBuilder();
            s.append(String.format(Locale.ROOT, "image %s (%dx%d, %d bytes), %d faces, one thread%n", image, width,
                    height, jpegBytes, faces));
            s.append(String.format(Locale.ROOT, "%-34s %9s %9s %9s%n", "stage", "mean ms", "p50 ms", "p99 ms"));
            row(s, "decode (JPEG -> BGR)", decode);
            row(s, "detect, one whole-frame pass", detectFrame);
            row(s, "detect, one 256x256 pass", detect256Pass);
            row(s, "detect, tiled (" + tileSize + " px, " + tiledPasses + " passes)", detectTiledFrame);
            for (EmbedderResult e : embedders) {
                row(s, e.embedder() + " align, per face", e.alignPerFace());
                row(s, e.embedder() + " embed b1, per face", e.embedBatch1PerFace());
                row(s, e.embedder() + " embed b8, per face", e.embedBatch8PerFace());
                row(s, e.embedder() + " whole frame", e.endToEndFrame());
                s.append(String.format(Locale.ROOT, "%-34s %9.1f  (decode + detect + %d faces aligned and embedded)%n",
                        e.embedder() + " faces/s per core", e.facesPerSecondPerCore(), e.usableFaces()));
            }
            for (Map.Entry<String, StageTimer.Stats> e : modelOnly.entrySet()) {
                row(s, "model only: " + e.getKey(), e.getValue());
            }
            s.append("machine: ").append(machine);
            return s.toString();
        }

        private static void row(StringBuilder s, String name, StageTimer.Stats st) {
            s.append(String.format(Locale.ROOT, "%-34s %9.2f %9.2f %9.2f%n", name, st.meanMs(), st.p50Ms(), st.p99Ms()));
        }
    }

    private EngineBenchmark() {}

    public static Result run(ModelStore models, Path image, int iterations, int tile, String onlyEmbedder)
            throws Exception {
        int warmup = Math.max(3, iterations / 10);
        String name;
        byte[] jpeg;
        if (image == null) {
            Path sample = models.samples().get(0);
            name = sample.getFileName() + " cropped to 1920x1080";
            jpeg = cropTo1080p(Files.readAllBytes(sample));
        } else {
            name = image.toString();
            jpeg = Files.readAllBytes(image);
        }
        ImageDecoder decoder = new ImageDecoder();
        StageTimer.Stats decode = StageTimer.time(warmup, iterations, 1, () -> decoder.decode(jpeg).close());
        try (FrameImage frame = decoder.decode(jpeg);
             FaceDetector detector = new FaceDetector(models, FaceDetector.Config.defaults());
             FaceDetector tiled = new FaceDetector(models, FaceDetector.Config.defaults().withTileSize(tile))) {
            List<Detection> faces = detector.detect(frame);
            if (faces.isEmpty()) {
                throw new IllegalArgumentException("no face found in " + name + ": pick an image with faces");
            }
            StageTimer.Stats detectFrame = StageTimer.time(warmup, iterations, 1, () -> detector.detect(frame));
            StageTimer.Stats detect256;
            try (FrameImage square = crop256(frame, faces.get(0))) {
                detect256 = StageTimer.time(warmup, iterations, 1, () -> detector.detect(square));
            }
            int passes = tiled.passes(frame.width(), frame.height());
            StageTimer.Stats detectTiled = StageTimer.time(Math.max(1, warmup / 3), Math.max(3, iterations / 5), 1,
                    () -> tiled.detect(frame));
            List<EmbedderResult> embedders = new ArrayList<>();
            for (var m : models.manifest().models()) {
                if ("embedder".equals(m.spec().role()) && (onlyEmbedder == null || onlyEmbedder.equals(m.id()))) {
                    embedders.add(embedderStages(models, m.id(), frame, jpeg, faces, warmup, iterations));
                }
            }
            Map<String, StageTimer.Stats> modelOnly = new LinkedHashMap<>();
            for (var m : models.manifest().models()) {
                modelOnly.put(m.id(), ModelOnlyBound.sessionRunOnly(models, m.id(), warmup, iterations));
            }
            return new Result(name, frame.width(), frame.height(), jpeg.length, faces.size(), tile, passes, decode,
                    detectFrame, detect256, detectTiled, embedders, modelOnly, machine());
        }
    }

    private static EmbedderResult embedderStages(ModelStore models, String id, FrameImage frame, byte[] jpeg,
                                                 List<Detection> faces, int warmup, int iterations) throws Exception {
        try (FaceAligner aligner = new FaceAligner(models, id);
             FaceEmbedder b1 = new FaceEmbedder(models, id, 1);
             FaceEmbedder b8 = new FaceEmbedder(models, id, 8);
             FaceEngine engine = new FaceEngine(models, id, FaceDetector.Config.defaults(), QualityGate.defaults())) {
            StageTimer.Stats align = StageTimer.time(warmup, iterations, faces.size(), () -> {
                for (Detection d : faces) {
                    aligner.align(frame, d).chip().close();
                }
            });
            List<AlignedFace> eight = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                eight.add(aligner.align(frame, faces.get(i % faces.size())));
            }
            StageTimer.Stats e1 = StageTimer.time(warmup, iterations, 1, () -> b1.embed(eight.get(0)));
            StageTimer.Stats e8 = StageTimer.time(warmup, iterations, 8, () -> b8.embedAll(eight));
            eight.forEach(f -> f.chip().close());
            ImageDecoder decoder = new ImageDecoder();
            int[] usable = new int[1];
            StageTimer.Stats whole = StageTimer.time(warmup, iterations, 1, () -> {
                try (FrameImage f = decoder.decode(jpeg)) {
                    usable[0] = (int) engine.analyse(f).stream().filter(r -> r.usable()).count();
                }
            });
            double fps = usable[0] == 0 ? 0 : usable[0] / (whole.meanMs() / 1000);
            return new EmbedderResult(id, align, e1, e8, whole, usable[0], fps);
        }
    }

    private static FrameImage crop256(FrameImage frame, Detection face) {
        int x = (int) Math.max(0, Math.min(frame.width() - 256, face.box().centre().x() - 128));
        int y = (int) Math.max(0, Math.min(frame.height() - 256, face.box().centre().y() - 128));
        try (Rect r = new Rect(x, y, Math.min(256, frame.width()), Math.min(256, frame.height()));
             Mat roi = new Mat(frame.mat(), r)) {
            return FrameImage.wrap(roi.clone());
        }
    }

    /** Centre crop to 1920x1080 (the sample photos are 1920 px wide and taller than 1080), JPEG quality 90. */
    static byte[] cropTo1080p(byte[] jpeg) throws Exception {
        try (FrameImage img = new ImageDecoder().decode(jpeg)) {
            int w = Math.min(1920, img.width());
            int h = Math.min(1080, img.height());
            try (Rect r = new Rect((img.width() - w) / 2, (img.height() - h) / 2, w, h);
                 Mat roi = new Mat(img.mat(), r)) {
                return JpegCrops.encode(roi, 90);
            }
        }
    }

    static Map<String, String> machine() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("cpus", String.valueOf(Runtime.getRuntime().availableProcessors()));
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        m.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        m.put("cpu_model", cpuModel());
        m.put("jvm_args", String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments()));
        return m;
    }

    private static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .findFirst().map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("unknown");
        } catch (Exception e) {
            return "unknown";
        }
    }
}
