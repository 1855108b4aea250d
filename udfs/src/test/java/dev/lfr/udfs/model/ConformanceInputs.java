package dev.lfr.udfs.model;

import dev.lfr.udfs.image.FrameImage;
import dev.lfr.udfs.image.ImageDecoder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The inputs of the dlib-ResNet conformance fixture: the first {@value #COUNT} 150x150 face chips of
 * {@code ../shared/data/dlib} (in MANIFEST.tsv order), decoded with our {@link ImageDecoder}. {@code main} writes
 * them as raw RGB for the node reference script; the test decodes them again and checks the same bytes come out.
 */
public final class ConformanceInputs {
    static final int COUNT = 24;

    private ConformanceInputs() {}

    public record Chip(String name, Path file) {}

    static List<Chip> chips(Path dlibDir) throws Exception {
        List<Chip> out = new ArrayList<>();
        for (String line : Files.readAllLines(dlibDir.resolve("MANIFEST.tsv"))) {
            String[] f = line.split("\t");
            if (f.length > 6 && "face".equals(f[6]) && out.size() < COUNT) {
                out.add(new Chip(f[0].replace('/', '_').replaceFirst("\\.[a-z]+$", ""), dlibDir.resolve(f[0])));
            }
        }
        return out;
    }

    /** RGB bytes (the order face-api.js wants) of a decoded 150x150 chip. */
    static byte[] rgb(FrameImage img) {
        byte[] bgr = img.toBgrBytes();
        for (int i = 0; i < bgr.length; i += 3) {
            byte b = bgr[i];
            bgr[i] = bgr[i + 2];
            bgr[i + 2] = b;
        }
        return bgr;
    }

    public static void main(String[] args) throws Exception {
        Path dlib = Path.of(args[0]);
        Path out = Path.of(args[1]);
        List<Map<String, String>> list = new ArrayList<>();
        ImageDecoder decoder = new ImageDecoder();
        for (Chip c : chips(dlib)) {
            try (FrameImage img = decoder.decode(c.file())) {
                if (img.width() != 150 || img.height() != 150) {
                    throw new IllegalStateException(c.file() + " is not a 150x150 chip");
                }
                byte[] rgb = rgb(img);
                Files.write(out.resolve(c.name() + ".rgb"), rgb);
                Map<String, String> m = new LinkedHashMap<>();
                m.put("name", c.name());
                m.put("source", dlib.relativize(c.file()).toString());
                m.put("rgbSha256", ModelInstaller.sha256(rgb));
                list.add(m);
            }
        }
        ModelCatalog.JSON.writeValue(out.resolve("inputs.json").toFile(), list);
    }
}
