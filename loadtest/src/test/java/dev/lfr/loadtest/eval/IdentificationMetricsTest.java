package dev.lfr.loadtest.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.lfr.loadtest.eval.IdentificationMetrics.DetPoint;
import dev.lfr.loadtest.eval.IdentificationMetrics.Rate;
import org.junit.jupiter.api.Test;

/** Hand-computed cases. */
class IdentificationMetricsTest {
    // mated: two found at rank 1 (0.9, 0.8), one outscored by another subject (0.6), one without a face
    private final IdentificationMetrics m = new IdentificationMetrics(new double[] {0.9, 0.8, 0.6, Double.NaN},
            new boolean[] {true, true, false, false}, new double[] {0.85, 0.7, 0.5, 0.4, Double.NaN});

    @Test
    void ratesAtAThresholdKeepFailuresToExtractInTheDenominators() {
        assertThat(m.tpir(0.75).value()).isEqualTo(0.5);  // 0.9 and 0.8 of 4
        assertThat(m.fpir(0.75).value()).isEqualTo(0.2);  // 0.85 of 5
        assertThat(m.tpir(0.55).value()).isEqualTo(0.5);  // 0.6 is not the top candidate
        assertThat(m.rank1().value()).isEqualTo(0.5);
    }

    @Test
    void thresholdAtFpirLetsFloorOfTargetTimesNAlarm() {
        double t = m.thresholdAtFpir(0.2); // 1 of 5 may alarm: just above the second highest, 0.7
        assertThat(t).isGreaterThan(0.7).isLessThan(0.7 + 1e-9);
        assertThat(m.fpir(t).hits()).isEqualTo(1);
        assertThat(m.tpir(t).value()).isEqualTo(0.5);
        double strict = m.thresholdAtFpir(0.1); // none may alarm: above the highest; 0.1 x 5 < 1 is not resolvable
        assertThat(strict).isGreaterThan(0.85);
        assertThat(m.fpir(strict).hits()).isZero();
        assertThat(m.resolvable(0.1)).isFalse();
        assertThat(m.resolvable(0.2)).isTrue();
        assertThat(m.thresholdAtFpir(1.0)).isEqualTo(Double.NEGATIVE_INFINITY);
    }

    @Test
    void wilsonIntervalsMatchPublishedValues() {
        Rate half = Rate.of(2, 4);
        assertThat(half.low()).isCloseTo(0.1500, within(1e-4));
        assertThat(half.high()).isCloseTo(0.8500, within(1e-4));
        Rate none = Rate.of(0, 5);
        assertThat(none.low()).isZero();
        assertThat(none.high()).isCloseTo(0.4345, within(1e-4));
        assertThat(Rate.of(0, 0).value()).isNaN();
    }

    @Test
    void detHasOnePointPerDistinctNonMatedScore() {
        assertThat(m.det()).containsExactly(
                new DetPoint(0.85, 0.2, 0.75),
                new DetPoint(0.7, 0.4, 0.5),
                new DetPoint(0.5, 0.6, 0.5),
                new DetPoint(0.4, 0.8, 0.5));
    }
}
