package dev.lfr.loadtest.replay;

import dev.lfr.udfs.image.ImageDecodeException;
import dev.lfr.udfs.image.ImageHeader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/** The images under a folder (recursively, name order), sent as they are and cycled. Unlabelled: no ground truth. */
public final class ImageFolderFrames implements FrameSource {
    private final List<byte[]> images = new ArrayList<>();
    private final List<ImageHeader> headers = new ArrayList<>();

    public ImageFolderFrames(Path dir, int maxImages) throws Exception {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.filter(Files::isRegularFile).filter(ImageFolderFrames::isImage).sorted().limit(maxImages).toList()) {
                byte[] bytes = Files.readAllBytes(p);
                try {
                    headers.add(ImageHeader.read(bytes));
                    images.add(bytes);
                } catch (ImageDecodeException e) {
                    // not an image after all: skipped, the replay sends only what a camera could
                }
            }
        }
        if (images.isEmpty()) {
            throw new IllegalArgumentException(dir + " holds no readable .jpg, .jpeg or .png image");
        }
    }

    private static boolean isImage(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return n.endsWith(".jpg") || n.endsWith(".jpeg") || n.endsWith(".png");
    }

    @Override
    public ReplayFrame next(String camera, long step, long timeMs) {
        int i = (int) (step % images.size());
        return new ReplayFrame(images.get(i), headers.get(i).width(), headers.get(i).height(), List.of());
    }
}
