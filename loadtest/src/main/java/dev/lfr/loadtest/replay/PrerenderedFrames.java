package dev.lfr.loadtest.replay;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongConsumer;

/**
 * Every frame of a replay rendered before the timed phase, so that while frames are timed the load generator only
 * reads bytes and hands them to the producer: composing and JPEG-encoding walk-past scenes would otherwise take
 * about a core of the machine the job is measured on. The JPEGs go to a file (a 25-camera run is gigabytes; the page
 * cache serves them back), the ground truth stays in memory and is stamped with the capture time at sending.
 * Frames must be asked for in the order they were rendered: step by step, the cameras in the given order.
 */
public final class PrerenderedFrames implements FrameSource {
    private final FrameSource source;
    private final List<String> cameras;
    private final Path file;
    private final FileChannel channel;
    private final long[] offsets;
    private final int[] lengths;
    private final int[] widths;
    private final int[] heights;
    private final List<List<TruthFace>> truth;

    private PrerenderedFrames(FrameSource source, List<String> cameras, Path file, FileChannel channel, long[] offsets,
                              int[] lengths, int[] widths, int[] heights, List<List<TruthFace>> truth) {
        this.source = source;
        this.cameras = List.copyOf(cameras);
        this.file = file;
        this.channel = channel;
        this.offsets = offsets;
        this.lengths = lengths;
        this.widths = widths;
        this.heights = heights;
        this.truth = truth;
    }

    /**
     * Renders {@code steps} frames of each camera of {@code source} into {@code file} (deleted on close).
     *
     * @param progress frames rendered so far
     */
    public static PrerenderedFrames render(FrameSource source, List<String> cameras, long steps, Path file,
                                           LongConsumer progress) throws Exception {
        long total = steps * cameras.size();
        if (total > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(total + " frames are too many to render ahead");
        }
        int n = (int) total;
        long[] offsets = new long[n];
        int[] lengths = new int[n];
        int[] widths = new int[n];
        int[] heights = new int[n];
        List<List<TruthFace>> truth = new ArrayList<>(n);
        Files.createDirectories(file.toAbsolutePath().getParent());
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.READ, StandardOpenOption.WRITE);
        try {
            long position = 0;
            for (int i = 0; i < n; i++) {
                long step = i / cameras.size();
                ReplayFrame f = source.next(cameras.get(i % cameras.size()), step, 0);
                ByteBuffer bytes = ByteBuffer.wrap(f.jpeg());
                while (bytes.hasRemaining()) {
                    position += channel.write(bytes, position);
                }
                offsets[i] = position - f.jpeg().length;
                lengths[i] = f.jpeg().length;
                widths[i] = f.width();
                heights[i] = f.height();
                truth.add(f.faces());
                progress.accept(i + 1L);
            }
        } catch (Exception e) {
            channel.close();
            Files.deleteIfExists(file);
            throw e;
        }
        return new PrerenderedFrames(source, cameras, file, channel, offsets, lengths, widths, heights, truth);
    }

    /** The frames rendered. */
    public int size() {
        return offsets.length;
    }

    @Override
    public ReplayFrame next(String camera, long step, long timeMs) throws IOException {
        long i = step * cameras.size() + cameras.indexOf(camera);
        if (i < 0 || i >= offsets.length || !cameras.get((int) (i % cameras.size())).equals(camera)) {
            throw new IllegalArgumentException("no frame rendered for " + camera + " at step " + step);
        }
        int k = (int) i;
        byte[] jpeg = new byte[lengths[k]];
        ByteBuffer into = ByteBuffer.wrap(jpeg);
        while (into.hasRemaining()) {
            if (channel.read(into, offsets[k] + into.position()) < 0) {
                throw new IOException(file + " ends before frame " + k);
            }
        }
        List<TruthFace> faces = truth.get(k).stream().map(t -> new TruthFace(t.walkId(), t.identity(), t.camera(), timeMs,
                t.x(), t.y(), t.width(), t.height())).toList();
        return new ReplayFrame(jpeg, widths[k], heights[k], faces);
    }

    @Override
    public void close() throws Exception {
        try (source) {
            channel.close();
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
