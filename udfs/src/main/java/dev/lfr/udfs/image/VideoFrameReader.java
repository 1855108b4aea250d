package dev.lfr.udfs.image;

import java.nio.file.Path;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.FrameGrabber;
import org.bytedeco.javacv.OpenCVFrameConverter;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * Reads the frames of a video file (any format FFmpeg decodes) as {@link FrameImage}s. Not thread-safe; close it.
 */
public final class VideoFrameReader implements AutoCloseable {
    static {
        // FFmpeg prints stream details for every file it opens; keep errors only
        avutil.av_log_set_level(avutil.AV_LOG_ERROR);
    }

    private final FFmpegFrameGrabber grabber;
    private final OpenCVFrameConverter.ToMat converter = new OpenCVFrameConverter.ToMat();

    public VideoFrameReader(Path file) throws FrameGrabber.Exception {
        grabber = new FFmpegFrameGrabber(file.toFile());
        grabber.start();
    }

    public int width() {
        return grabber.getImageWidth();
    }

    public int height() {
        return grabber.getImageHeight();
    }

    /** The next video frame, or null at the end. The image is a copy the caller owns. */
    public FrameImage next() throws FrameGrabber.Exception {
        Frame f = grabber.grabImage();
        if (f == null) {
            return null;
        }
        Mat m = converter.convert(f);
        // the grabber reuses its buffer for the next frame
        return FrameImage.wrap(m.clone());
    }

    @Override
    public void close() throws FrameGrabber.Exception {
        grabber.close();
        converter.close();
    }
}
