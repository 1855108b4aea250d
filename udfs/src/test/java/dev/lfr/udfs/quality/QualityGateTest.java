package dev.lfr.udfs.quality;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class QualityGateTest {
    private final QualityGate gate = QualityGate.defaults();

    @Test
    void frontalSharpFacePasses() {
        assertThat(gate.check(new QualityReport(120, 45, 300, 0.05, 3, 0.9))).isEmpty();
    }

    @Test
    void eachLimitHasItsOwnReason() {
        assertThat(gate.check(new QualityReport(15, 45, 300, 0, 0, 0.9))).containsExactly(QualityGate.Reason.TOO_SMALL);
        assertThat(gate.check(new QualityReport(120, 5, 300, 0, 0, 0.9))).containsExactly(QualityGate.Reason.EYES_TOO_CLOSE);
        assertThat(gate.check(new QualityReport(120, 45, 1, 0, 0, 0.9))).containsExactly(QualityGate.Reason.BLURRED);
        assertThat(gate.check(new QualityReport(120, 45, 300, -0.8, 0, 0.9))).containsExactly(QualityGate.Reason.TURNED);
        assertThat(gate.check(new QualityReport(120, 45, 300, 0, 70, 0.9))).containsExactly(QualityGate.Reason.TILTED);
        assertThat(gate.check(new QualityReport(120, 45, 300, 0, 0, 0.55))).containsExactly(QualityGate.Reason.LOW_SCORE);
        assertThat(QualityGate.open().check(new QualityReport(1, 0, 0, 5, 170, 0.01))).isEmpty();
    }

    @Test
    void utilityPrefersBiggerSharperFrontalFaces() {
        QualityReport good = new QualityReport(120, 45, 300, 0.05, 3, 0.9);
        assertThat(good.utility()).isGreaterThan(new QualityReport(60, 20, 300, 0.05, 3, 0.9).utility());
        assertThat(good.utility()).isGreaterThan(new QualityReport(120, 45, 30, 0.05, 3, 0.9).utility());
        assertThat(good.utility()).isGreaterThan(new QualityReport(120, 45, 300, 0.4, 3, 0.9).utility());
    }
}
