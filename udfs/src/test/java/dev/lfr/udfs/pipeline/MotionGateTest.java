package dev.lfr.udfs.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lfr.udfs.image.ImageDecodeException;
import dev.lfr.udfs.image.ImageDecoder;
import dev.lfr.udfs.image.JpegCrops;
import dev.lfr.udfs.testing.TestData;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_core.Size;
import org.junit.jupiter.api.Test;

/** The motion gate on real JPEG frames: a still scene, a person-sized change, JPEG noise, tracking, full passes. */
class MotionGateTest {
    private final ImageDecoder decoder = new ImageDecoder();

    /** A 1280x720 scene from a sample photo, with a grey 100x250 "passer-by" at x when x >= 0, at JPEG quality q. */
    private byte[] scene(int x, int quality) throws Exception {
        try (var photo = decoder.decode(TestData.models().samples().get(2)); Mat frame = new Mat();
             Size size = new Size(1280, 720)) {
            opencv_imgproc.resize(photo.mat(), frame, size);
            if (x >= 0) {
                try (Rect r = new Rect(x, 300, 100, 250); Scalar grey = new Scalar(128, 128, 128, 0)) {
                    opencv_imgproc.rectangle(frame, r, grey, -1, opencv_imgproc.LINE_8, 0);
                }
            }
            return JpegCrops.encode(frame, quality);
        }
    }

    private byte[] thumb(byte[] jpeg) throws ImageDecodeException {
        return decoder.thumbnail(jpeg, MotionGate.WIDTH, MotionGate.HEIGHT);
    }

    @Test
    void aStillSceneIsSkippedAPasserByIsNot() throws Exception {
        MotionGate gate = new MotionGate(new MotionGate.Config(true, 100, 0.0015));
        assertThat(gate.still("cam", thumb(scene(-1, 85)), false)).as("a camera's first frame").isFalse();
        // the same scene encoded again at another quality: JPEG noise is no motion
        assertThat(gate.still("cam", thumb(scene(-1, 80)), false)).isTrue();
        assertThat(gate.still("cam", thumb(scene(-1, 85)), false)).isTrue();
        assertThat(gate.still("cam", thumb(scene(600, 85)), false)).as("someone walks in").isFalse();
        assertThat(gate.still("cam", thumb(scene(640, 85)), false)).as("and moves on").isFalse();
        assertThat(gate.still("cam", thumb(scene(640, 85)), true)).as("standing still, but tracked").isFalse();
        assertThat(gate.still("cam", thumb(scene(640, 85)), false)).isTrue();
        assertThat(gate.still("other", thumb(scene(640, 85)), false)).as("cameras are apart").isFalse();
        gate.forget("cam");
        assertThat(gate.still("cam", thumb(scene(640, 85)), false)).as("after a failed frame").isFalse();
    }

    @Test
    void aStillCameraIsSearchedEveryFullPassAndNotAtAllWhenOff() throws Exception {
        byte[] t = thumb(scene(-1, 85));
        MotionGate every3 = new MotionGate(new MotionGate.Config(true, 3, 0.0015));
        StringBuilder searched = new StringBuilder();
        for (int i = 0; i < 7; i++) {
            searched.append(every3.still("cam", t, false) ? '-' : 'S');
        }
        assertThat(searched).hasToString("S--S--S");
        MotionGate off = new MotionGate(MotionGate.Config.off());
        for (int i = 0; i < 3; i++) {
            assertThat(off.still("cam", t, false)).isFalse();
        }
        assertThatThrownBy(() -> new MotionGate.Config(true, 0, 0.1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new MotionGate.Config(true, 1, Double.NaN)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void thumbnailsRefuseWhatDecodingRefuses() {
        assertThatThrownBy(() -> decoder.thumbnail(new byte[] {(byte) 0xFF, (byte) 0xD8, 1, 2}, 80, 45))
                .isInstanceOf(ImageDecodeException.class);
    }

}
