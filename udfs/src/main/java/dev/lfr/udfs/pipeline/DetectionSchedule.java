package dev.lfr.udfs.pipeline;

import java.io.Serializable;

/**
 * Runs the detector on every {@code every}-th frame of a camera, as DeepStream's {@code interval} does: the frames
 * between are neither decoded nor searched, and the camera's tracks carry its faces across them (the tracker's gap
 * allowance spans the skipped frames). A face entering the scene is found within {@code every} frames; a walk-past
 * is embedded on the best of the frames that were detected. The first frame of a camera, and the frame after one
 * that failed, are always detected.
 */
public final class DetectionSchedule {
    /** Most frames between two detector passes: at 5 fps, 30 frames is 6 s, longer than a walk-past. */
    public static final int MAX_EVERY = 30;

    /** @param every the detector runs on one frame of this many (1: every frame) */
    public record Config(int every) implements Serializable {
        public Config {
            if (every < 1 || every > MAX_EVERY) {
                throw new IllegalArgumentException("detection must run every 1 to " + MAX_EVERY + " frames, not " + every);
            }
        }

        public static Config everyFrame() {
            return new Config(1);
        }
    }

    private static final class Count {
        int untilDue = -1; // a camera not seen yet: due at once
    }

    private final Config config;
    private final CameraMemory<Count> counts = new CameraMemory<>();

    public DetectionSchedule(Config config) {
        this.config = config;
    }

    /**
     * Whether this frame of {@code camera} goes to the detector; counts it either way. After a camera's first frame
     * its passes are offset by a phase taken from its id, so that cameras started together do not all need the
     * detector on the same tick (a burst that queues every camera behind it).
     */
    public boolean due(String camera) {
        if (config.every() == 1) {
            return true;
        }
        Count c = counts.of(camera, Count::new);
        boolean first = c.untilDue < 0;
        if (c.untilDue > 0) {
            c.untilDue--;
            return false;
        }
        c.untilDue = first ? Math.floorMod(camera.hashCode(), config.every()) : config.every() - 1;
        return true;
    }

    /** The camera's next frame is detected, whatever the count. */
    public void forget(String camera) {
        counts.forget(camera);
    }
}
