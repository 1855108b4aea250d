package dev.lfr.udfs.index;

import dev.lfr.udfs.embed.FaceDescriptor;
import dev.lfr.udfs.engine.FaceEngine;
import dev.lfr.udfs.engine.FaceResult;
import dev.lfr.udfs.image.FrameImage;
import dev.lfr.udfs.image.ImageDecoder;
import dev.lfr.udfs.testing.TestData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Descriptors of real faces: the first image of the first {@code n} LFW identities (MANIFEST.tsv order). */
final class RealDescriptors {
    private RealDescriptors() {}

    static List<float[]> lfw(String embedder, int n) throws Exception {
        Path lfw = TestData.requireShared("lfw");
        List<Path> images = new ArrayList<>();
        String last = "";
        for (String line : Files.readAllLines(lfw.resolve("MANIFEST.tsv"))) {
            String[] f = line.split("\t");
            if (f.length > 6 && "face".equals(f[6]) && !f[1].equals(last) && images.size() < n) {
                images.add(lfw.resolve(f[0]));
                last = f[1];
            }
        }
        List<float[]> out = new ArrayList<>();
        ImageDecoder decoder = new ImageDecoder();
        try (FaceEngine engine = FaceEngine.withDefaults(TestData.models(), embedder)) {
            for (Path p : images) {
                try (FrameImage img = decoder.decode(p)) {
                    Optional<FaceDescriptor> d = engine.mainFace(img).flatMap(FaceResult::descriptor);
                    d.ifPresent(x -> out.add(x.vector()));
                }
            }
        }
        return out;
    }

    /**
     * A row near real faces: a random real descriptor plus up to half of another one plus Gaussian noise (sigma 0.03
     * a component), so that synthetic rows fill the region of descriptor space real faces occupy.
     */
    static float[] aroundReal(List<float[]> real, java.util.Random r) {
        float[] a = real.get(r.nextInt(real.size()));
        float[] b = real.get(r.nextInt(real.size()));
        float w = r.nextFloat() * 0.5f;
        float[] v = new float[a.length];
        for (int i = 0; i < v.length; i++) {
            v[i] = a[i] + w * b[i] + (float) (0.03 * r.nextGaussian());
        }
        return v;
    }
}
