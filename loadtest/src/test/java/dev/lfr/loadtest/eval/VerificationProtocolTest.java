package dev.lfr.loadtest.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class VerificationProtocolTest {
    private static VerificationProtocol.Scored s(int fold, double d, boolean same) {
        return new VerificationProtocol.Scored(fold, d, same);
    }

    @Test
    void accuracyCountsPairsOnTheRightSideOfTheThreshold() {
        List<VerificationProtocol.Scored> p = List.of(s(0, 0.1, true), s(0, 0.5, true), s(0, 0.4, false), s(0, 0.9, false));
        assertThat(VerificationProtocol.accuracy(p, 0.3)).isEqualTo(0.75); // 0.5-same is missed
        assertThat(VerificationProtocol.accuracy(p, 0.45)).isEqualTo(0.5); // and 0.4-different is accepted
        assertThat(VerificationProtocol.accuracy(p, 0.6)).isEqualTo(0.75);
    }

    @Test
    void bestThresholdSeparatesSeparableScores() {
        List<VerificationProtocol.Scored> p = List.of(s(0, 0.1, true), s(0, 0.2, true), s(0, 0.6, false), s(0, 0.7, false));
        double t = VerificationProtocol.bestThreshold(p);
        assertThat(t).isCloseTo(0.4, offset(1e-9)); // the middle of the gap between 0.2 and 0.6
        assertThat(VerificationProtocol.accuracy(p, t)).isEqualTo(1.0);
    }

    @Test
    void eachFoldIsScoredWithAThresholdLearntOnTheOthers() {
        List<VerificationProtocol.Scored> p = new ArrayList<>();
        for (int f = 0; f < 3; f++) {
            p.add(s(f, 0.2, true));
            p.add(s(f, 0.8, false));
        }
        // fold 2 alone has a different pair that looks the same: the other folds' threshold (0.35, mid-gap) misjudges it
        p.add(s(2, 0.3, false));
        VerificationProtocol.Result r = VerificationProtocol.evaluate(p);
        assertThat(r.folds()).isEqualTo(3);
        assertThat(r.foldAccuracy()[0]).isEqualTo(1.0);
        assertThat(r.foldAccuracy()[2]).isCloseTo(2.0 / 3, offset(1e-9));
        assertThat(r.meanAccuracy()).isCloseTo((1 + 1 + 2.0 / 3) / 3, offset(1e-9));
    }

    @Test
    void detectionMatchingIsOneToOneAtIou04() {
        var truth = List.of(new dev.lfr.udfs.detect.Box(0, 0, 10, 10), new dev.lfr.udfs.detect.Box(100, 0, 10, 10));
        var found = List.of(new dev.lfr.udfs.detect.Box(1, 1, 10, 10), new dev.lfr.udfs.detect.Box(0, 0, 10, 10),
                new dev.lfr.udfs.detect.Box(105, 0, 10, 10)); // IoU 5*10/(150) = 0.33 < 0.4
        assertThat(DetectionEvaluation.match(truth, found)).isEqualTo(1);
    }
}
