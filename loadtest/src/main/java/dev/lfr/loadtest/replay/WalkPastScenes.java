package dev.lfr.loadtest.replay;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_imgproc.GaussianBlur;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_AREA;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

import dev.lfr.udfs.detect.Box;
import dev.lfr.udfs.image.FrameImage;
import dev.lfr.udfs.image.JpegCrops;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_core.Size;

/**
 * Synthetic walk-past scenes: labelled faces from a gallery walk across each camera's frame, several at a time (one
 * per cell of a grid, so they never cover each other), growing from {@code minFace} to {@code maxFace} pixels as
 * they approach, each walk-past with its own blur and brightness. Backgrounds are frames of a video, or a plain
 * grey. Each frame comes with the ground truth of the faces it shows. Identities take turns in a seeded order, so a
 * replay is repeatable. Not thread-safe; one instance serves every camera.
 */
public final class WalkPastScenes implements FrameSource {
    /**
     * A gallery identity and crops around its face (the face fills 1/{@link #CROP_ENLARGE} of each crop's side): a
     * walk-past shows them in turn, each for an equal part of the walk, as a passer-by turns and the light changes.
     */
    public record Person(String id, List<FrameImage> crops) {
        public Person {
            if (crops.isEmpty()) {
                throw new IllegalArgumentException("a person needs a face crop");
            }
            crops = List.copyOf(crops);
        }

        public Person(String id, FrameImage crop) {
            this(id, List.of(crop));
        }

        /** The first crop. */
        public FrameImage crop() {
            return crops.get(0);
        }
    }

    /** How much larger than the face box the person crops are ({@link #crop} makes them). */
    public static final double CROP_ENLARGE = 1.8;

    /** A person crop: JPEG of the square around {@code face}, {@link #CROP_ENLARGE} times its longer side. */
    public static byte[] crop(FrameImage photo, Box face) {
        return JpegCrops.crop(photo, face.centre().x(), face.centre().y(),
                face.side() * CROP_ENLARGE, 92);
    }

    private final List<Person> people;
    private final List<Mat> backgrounds;
    private final int width;
    private final int height;
    private final int walkers;
    private final int stepsPerWalk;
    private final int minFace;
    private final int maxFace;
    private final Random random;
    private final Map<String, Walker[]> cameras = new HashMap<>();
    private int nextPerson;
    private long nextWalk;

    private record Walker(String walkId, Person person, long startStep, boolean leftToRight, double blurSigma,
                          double gain, double offset) {}

    /**
     * @param backgrounds  frames to walk in front of, cycled (resized to width x height); empty for plain grey
     * @param walkers      faces in view at once per camera
     * @param stepsPerWalk frames a walk-past lasts
     */
    public WalkPastScenes(List<Person> people, List<FrameImage> backgrounds, int width, int height, int walkers,
                          int stepsPerWalk, int minFace, int maxFace, long seed) {
        if (people.isEmpty() || walkers < 1 || stepsPerWalk < 2 || minFace < 8 || maxFace < minFace) {
            throw new IllegalArgumentException("need people, walkers >= 1, steps >= 2 and 8 <= minFace <= maxFace");
        }
        List<Person> order = new ArrayList<>(people);
        java.util.Collections.shuffle(order, new Random(seed)); // watchlisted and other people mixed, repeatably
        this.people = List.copyOf(order);
        this.width = width;
        this.height = height;
        this.walkers = walkers;
        this.stepsPerWalk = stepsPerWalk;
        this.minFace = minFace;
        this.maxFace = maxFace;
        this.random = new Random(seed);
        this.backgrounds = new ArrayList<>();
        for (FrameImage b : backgrounds) {
            Mat m = new Mat();
            resize(b.mat(), m, new Size(width, height), 0, 0, INTER_AREA);
            this.backgrounds.add(m);
        }
        if (this.backgrounds.isEmpty()) {
            this.backgrounds.add(new Mat(height, width, CV_8UC3, new Scalar(96, 104, 112, 0)));
        }
    }

    @Override
    public ReplayFrame next(String camera, long step, long timeMs) {
        Walker[] active = cameras.computeIfAbsent(camera, c -> new Walker[walkers]);
        int rows = (int) Math.ceil(Math.sqrt(walkers));
        int cols = (int) Math.ceil((double) walkers / rows);
        int cellW = width / cols;
        int cellH = height / rows;
        List<TruthFace> truth = new ArrayList<>();
        try (Mat canvas = backgrounds.get((int) (step % backgrounds.size())).clone()) {
            for (int k = 0; k < walkers; k++) {
                // walkers of one camera start staggered, so they do not all change at once
                long stagger = (long) k * stepsPerWalk / walkers;
                if (active[k] == null || step - active[k].startStep() >= stepsPerWalk) {
                    long start = active[k] == null ? step - stagger : step;
                    active[k] = newWalker(camera, start);
                }
                Walker w = active[k];
                double t = (double) (step - w.startStep()) / (stepsPerWalk - 1);
                int cellX = (k % cols) * cellW;
                int cellY = (k / cols) * cellH;
                int maxCrop = Math.min(cellW, cellH);
                int face = (int) Math.round(minFace + t * (maxFace - minFace));
                int crop = Math.min(maxCrop, (int) Math.round(face * CROP_ENLARGE));
                face = (int) Math.round(crop / CROP_ENLARGE);
                double along = w.leftToRight() ? t : 1 - t;
                int x = cellX + (int) Math.round(along * (cellW - crop));
                int y = cellY + (cellH - crop) / 2;
                List<FrameImage> crops = w.person().crops();
                int shown = (int) Math.min(crops.size() - 1, (step - w.startStep()) * crops.size() / stepsPerWalk);
                paste(canvas, w, crops.get(shown), x, y, crop);
                int inset = (crop - face) / 2;
                truth.add(new TruthFace(w.walkId(), w.person().id(), camera, timeMs, x + inset, y + inset, face, face));
            }
            return new ReplayFrame(JpegCrops.encode(canvas, 85), width, height, List.copyOf(truth));
        }
    }

    private Walker newWalker(String camera, long startStep) {
        Person p = people.get(nextPerson++ % people.size());
        return new Walker(camera + "-walk-" + (nextWalk++), p, startStep, random.nextBoolean(),
                random.nextDouble() * 1.5, 0.7 + random.nextDouble() * 0.6, random.nextDouble() * 30 - 15);
    }

    private static void paste(Mat canvas, Walker w, FrameImage face, int x, int y, int side) {
        double scale = (double) side / Math.max(face.width(), face.height());
        int cw = Math.max(1, (int) Math.round(face.width() * scale));
        int ch = Math.max(1, (int) Math.round(face.height() * scale));
        try (Mat scaled = new Mat(); Mat lit = new Mat(); Size size = new Size(cw, ch);
             Rect at = new Rect(x, y, cw, ch); Mat dst = new Mat(canvas, at)) {
            resize(face.mat(), scaled, size, 0, 0, INTER_AREA);
            scaled.convertTo(lit, -1, w.gain(), w.offset());
            if (w.blurSigma() > 0.3) {
                try (Size auto = new Size(0, 0)) {
                    GaussianBlur(lit, lit, auto, w.blurSigma());
                }
            }
            lit.copyTo(dst);
        }
    }


    @Override
    public void close() {
        backgrounds.forEach(Mat::close);
    }
}
