package dev.lfr.udfs.align;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import dev.lfr.udfs.detect.Point;
import java.util.List;
import org.junit.jupiter.api.Test;

class SimilarityTransformTest {
    @Test
    void recoversAKnownRotationScaleAndShift() {
        double angle = Math.toRadians(20);
        SimilarityTransform truth = new SimilarityTransform(1.5 * Math.cos(angle), 1.5 * Math.sin(angle), 12, -7);
        List<Point> from = List.of(new Point(10, 20), new Point(60, 25), new Point(35, 80), new Point(5, 50));
        List<Point> to = from.stream().map(truth::apply).toList();
        SimilarityTransform fit = SimilarityTransform.fit(from, to);
        assertThat(fit.a()).isCloseTo(truth.a(), offset(1e-9));
        assertThat(fit.b()).isCloseTo(truth.b(), offset(1e-9));
        assertThat(fit.tx()).isCloseTo(12, offset(1e-9));
        assertThat(fit.ty()).isCloseTo(-7, offset(1e-9));
        assertThat(fit.scale()).isCloseTo(1.5, offset(1e-9));
    }

    @Test
    void neverShearsOrMirrors() {
        // a mirrored triangle cannot be matched by a similarity: the fit keeps orientation
        List<Point> from = List.of(new Point(0, 0), new Point(10, 0), new Point(0, 10));
        List<Point> to = List.of(new Point(0, 0), new Point(-10, 0), new Point(0, 10));
        SimilarityTransform fit = SimilarityTransform.fit(from, to);
        double[] m = fit.toAffine2x3();
        assertThat(m[0]).isCloseTo(m[4], offset(1e-12));
        assertThat(m[1]).isCloseTo(-m[3], offset(1e-12));
    }

    @Test
    void refusesDegenerateInput() {
        assertThatThrownBy(() -> SimilarityTransform.fit(List.of(new Point(1, 1), new Point(1, 1)),
                List.of(new Point(0, 0), new Point(5, 5)))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SimilarityTransform.fit(List.of(new Point(1, 1)), List.of(new Point(0, 0))))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
