package dev.lfr.cli;


import dev.lfr.udfs.detect.AnnotatedImage;
import dev.lfr.udfs.detect.Detection;
import dev.lfr.udfs.detect.FaceDetector;
import dev.lfr.udfs.image.FrameImage;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "detect", description = "Find faces; prints one line per face: IMAGE x y w h score")
final class DetectCommand extends LfrCommand implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "IMAGE", description = "JPEG or PNG files")
    List<Path> images;

    @Option(names = "--annotate", paramLabel = "OUT.png",
            description = "write the (last) image with boxes and keypoints drawn")
    Path annotate;

    @Mixin
    EngineOptions engine;

    @Override
    public Integer call() throws Exception {
        if (annotate != null && !annotate.toString().toLowerCase(Locale.ROOT).endsWith(".png")) {
            throw new UserError("--annotate writes PNG: give a file name ending in .png");
        }
        try (FaceDetector detector = new FaceDetector(engine.models(), engine.detectorConfig())) {
            for (Path image : images) {
                try (FrameImage frame = EngineOptions.decode(image)) {
                    List<Detection> faces = detector.detect(frame);
                    for (Detection d : faces) {
                        out().printf(Locale.ROOT, "%s %.0f %.0f %.0f %.0f %.3f%n", image,
                                d.box().x(), d.box().y(), d.box().width(), d.box().height(), d.score());
                    }
                    if (annotate != null && image.equals(images.get(images.size() - 1))) {
                        try {
                            AnnotatedImage.write(frame, faces, annotate);
                        } catch (java.io.IOException e) {
                            throw new UserError(e.getMessage());
                        }
                    }
                }
            }
        }
        return 0;
    }
}
