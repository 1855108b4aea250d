package dev.lfr.udfs.pipeline;

import java.io.Serializable;

/**
 * Spares the detector on cameras watching a still scene. Each frame is compared, as a small grey thumbnail, with the
 * camera's previous one; when no face is being tracked and too few thumbnail pixels changed, the frame is not
 * searched for faces. Every {@code fullPassEvery}-th frame of a camera is searched all the same, so a face that
 * enters without changing the scene (it cannot, but lighting can hide a change) is found within that many frames.
 *
 * <p>The thumbnails (80x45 grey, where a 200-pixel face is a 12-pixel blob) stay in this object, in the operator's
 * memory: never in state, checkpoints or outputs. After a restore the first frame of each camera is searched.
 * Not thread-safe: one per pipeline.
 */
public final class MotionGate {
    /** Thumbnail size compared between frames. */
    public static final int WIDTH = 80;
    public static final int HEIGHT = 45;
    /** A thumbnail pixel has changed when its grey level moved by more than this. */
    static final int PIXEL_CHANGE = 10;

    /**
     * @param enabled         whether still frames may be skipped at all
     * @param fullPassEvery   a camera's frames are searched at least this often (1: every frame)
     * @param changedFraction the share of thumbnail pixels that must change for a frame to count as motion
     */
    public record Config(boolean enabled, int fullPassEvery, double changedFraction) implements Serializable {
        public Config {
            if (fullPassEvery < 1) {
                throw new IllegalArgumentException("the full pass must come every 1 or more frames, not " + fullPassEvery);
            }
            if (!(changedFraction > 0 && changedFraction < 1)) {
                throw new IllegalArgumentException("the changed fraction must be between 0 and 1, not " + changedFraction);
            }
        }

        public static Config off() {
            return new Config(false, 1, 0.002);
        }

        /** On: at 5 fps a still camera is searched every 2 s; 5 thumbnail pixels of 3,600 changing is motion. */
        public static Config defaults() {
            return new Config(true, 10, 0.0015);
        }
    }

    private static final class Scene {
        byte[] thumbnail;
        int sinceFullPass;
    }

    private final Config config;
    private final CameraMemory<Scene> scenes = new CameraMemory<>();

    public MotionGate(Config config) {
        this.config = config;
    }

    public boolean enabled() {
        return config.enabled();
    }

    /**
     * Whether this frame of {@code camera} may go unsearched: the gate is on, no face of the camera is being tracked,
     * little changed since its previous frame, and its full pass is not due. Remembers the thumbnail either way.
     */
    public boolean still(String camera, byte[] thumbnail, boolean tracking) {
        Scene s = scenes.of(camera, Scene::new);
        boolean changed = s.thumbnail == null || s.thumbnail.length != thumbnail.length
                || changedFraction(s.thumbnail, thumbnail) >= config.changedFraction();
        boolean skip = config.enabled() && !tracking && !changed && s.sinceFullPass + 1 < config.fullPassEvery();
        s.thumbnail = thumbnail;
        s.sinceFullPass = skip ? s.sinceFullPass + 1 : 0;
        return skip;
    }

    /** Forgets the camera's previous frame: its next frame counts as a change. */
    public void forget(String camera) {
        scenes.forget(camera);
    }

    /** The share of pixels whose grey level differs by more than {@link #PIXEL_CHANGE}. */
    static double changedFraction(byte[] a, byte[] b) {
        int changed = 0;
        for (int i = 0; i < a.length; i++) {
            if (Math.abs((a[i] & 0xff) - (b[i] & 0xff)) > PIXEL_CHANGE) {
                changed++;
            }
        }
        return (double) changed / a.length;
    }
}
