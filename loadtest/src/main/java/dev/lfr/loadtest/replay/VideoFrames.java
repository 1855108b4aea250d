package dev.lfr.loadtest.replay;


import dev.lfr.udfs.image.FrameImage;
import dev.lfr.udfs.image.JpegCrops;
import dev.lfr.udfs.image.VideoFrameReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Frames of a video file, JPEG-encoded once up front (at most {@code maxFrames}) and looped; camera k starts k x 7
 * frames later, so cameras do not show identical frames. Unlabelled: no ground truth.
 */
public final class VideoFrames implements FrameSource {
    private final List<byte[]> jpegs = new ArrayList<>();
    private final int width;
    private final int height;

    public VideoFrames(Path video, int maxFrames) throws Exception {
        try (VideoFrameReader reader = new VideoFrameReader(video)) {
            width = reader.width();
            height = reader.height();
            while (jpegs.size() < maxFrames) {
                try (FrameImage f = reader.next()) {
                    if (f == null) {
                        break;
                    }
                    jpegs.add(JpegCrops.encode(f.mat(), 90));
                }
            }
        }
        if (jpegs.isEmpty()) {
            throw new IllegalArgumentException(video + " holds no readable frame");
        }
    }


    @Override
    public ReplayFrame next(String camera, long step, long timeMs) {
        int offset = Math.floorMod(camera.hashCode(), 997) * 7;
        return new ReplayFrame(jpegs.get((int) ((step + offset) % jpegs.size())), width, height, List.of());
    }
}
