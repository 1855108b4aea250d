package dev.lfr.cli;

import static org.bytedeco.opencv.global.opencv_imgcodecs.imwrite;
import static org.bytedeco.opencv.global.opencv_imgproc.LINE_AA;
import static org.bytedeco.opencv.global.opencv_imgproc.circle;
import static org.bytedeco.opencv.global.opencv_imgproc.rectangle;

import dev.lfr.udfs.detect.Detection;
import dev.lfr.udfs.detect.FaceDetector;
import dev.lfr.udfs.detect.Point;
import dev.lfr.udfs.image.FrameImage;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.Scalar;
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
                        writeAnnotated(frame, faces, annotate);
                    }
                }
            }
        }
        return 0;
    }

    private static void writeAnnotated(FrameImage frame, List<Detection> faces, Path out) {
        try (Mat canvas = frame.mat().clone(); Scalar green = new Scalar(0, 255, 0, 0); Scalar red = new Scalar(0, 0, 255, 0)) {
            int thickness = Math.max(2, frame.width() / 500);
            for (Detection d : faces) {
                try (Rect r = new Rect((int) d.box().x(), (int) d.box().y(), (int) d.box().width(), (int) d.box().height())) {
                    rectangle(canvas, r, green, thickness, LINE_AA, 0);
                }
                for (Point p : d.keypoints()) {
                    try (org.bytedeco.opencv.opencv_core.Point c =
                                 new org.bytedeco.opencv.opencv_core.Point((int) p.x(), (int) p.y())) {
                        circle(canvas, c, thickness + 1, red, -1, LINE_AA, 0);
                    }
                }
            }
            if (!imwrite(out.toString(), canvas)) {
                throw new UserError("cannot write " + out);
            }
        }
    }
}
