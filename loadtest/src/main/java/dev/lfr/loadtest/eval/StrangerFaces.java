package dev.lfr.loadtest.eval;

import dev.lfr.udfs.engine.FaceEngine;
import dev.lfr.udfs.engine.FaceResult;
import dev.lfr.udfs.image.FrameImage;
import dev.lfr.udfs.image.ImageDecodeException;
import dev.lfr.udfs.image.ImageDecoder;
import dev.lfr.udfs.image.VideoFrameReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Every usable face in folders of people who are not in the evaluated dataset (group photos, crowds, videos,
 * photos of other identities): more non-mated searches than the dataset's own one-photo identities give, so low
 * FPIRs can be resolved. Folders starting with '_meta' or '.' are skipped; videos are sampled every
 * {@code everyFrames} frames (a walk-past's consecutive frames are nearly the same search).
 */
public final class StrangerFaces {
    private StrangerFaces() {}

    public static List<OpenSetEvaluation.Stranger> find(FaceEngine engine, List<Path> folders, int everyFrames)
            throws Exception {
        List<OpenSetEvaluation.Stranger> out = new ArrayList<>();
        ImageDecoder decoder = new ImageDecoder();
        for (Path folder : folders) {
            List<Path> files;
            try (Stream<Path> walk = Files.walk(folder)) {
                files = walk.filter(Files::isRegularFile).filter(p -> !skipped(folder.relativize(p))).sorted().toList();
            }
            for (Path f : files) {
                String n = f.getFileName().toString().toLowerCase(Locale.ROOT);
                if (n.endsWith(".jpg") || n.endsWith(".jpeg") || n.endsWith(".png")) {
                    try (FrameImage frame = decoder.decode(f)) {
                        add(out, f.toString(), engine.analyse(frame));
                    } catch (ImageDecodeException e) {
                        // not a face photo we can read; nothing to search
                    }
                } else if (n.endsWith(".mp4") || n.endsWith(".avi")) {
                    try (VideoFrameReader reader = new VideoFrameReader(f)) {
                        FrameImage frame;
                        for (int i = 0; (frame = reader.next()) != null; i++) {
                            try (FrameImage fr = frame) {
                                if (i % everyFrames == 0) {
                                    add(out, f + "#" + i, engine.analyse(fr));
                                }
                            }
                        }
                    }
                }
            }
        }
        return out;
    }

    private static boolean skipped(Path relative) {
        for (Path part : relative) {
            String s = part.toString();
            if (s.startsWith("_meta") || s.startsWith(".")) {
                return true;
            }
        }
        return false;
    }

    private static void add(List<OpenSetEvaluation.Stranger> out, String source, List<FaceResult> faces) {
        for (FaceResult r : faces) {
            r.descriptor().ifPresent(d -> out.add(new OpenSetEvaluation.Stranger(source, d.vector())));
        }
    }
}
