package dev.lfr.loadtest.replay;

/** Frames for the replay of each camera: a video, a folder of images, or synthetic walk-past scenes. */
public interface FrameSource extends AutoCloseable {
    /** The frame of {@code camera} at replay step {@code step}, captured at {@code timeMs}. */
    ReplayFrame next(String camera, long step, long timeMs) throws Exception;

    @Override
    default void close() throws Exception {}
}
