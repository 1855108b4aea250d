package dev.lfr.udfs.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ScreeningTest {
    @Test
    void onlyScoresWithinTheMarginOfTheThresholdAreEmbeddedAgain() {
        Screening s = new Screening("fr-feature-512-int8", 0.05);
        assertThat(s.on()).isTrue();
        assertThat(s.unsure(0.53, 0.53)).isTrue();
        assertThat(s.unsure(0.49, 0.53)).as("just under, within the margin").isTrue();
        assertThat(s.unsure(0.57, 0.53)).as("just over, within the margin").isTrue();
        assertThat(s.unsure(0.47, 0.53)).as("clearly not a match").isFalse();
        assertThat(s.unsure(0.70, 0.53)).as("clearly a match").isFalse();
        assertThat(s.unsure(Double.NaN, 0.53)).as("a score that is not a number never stands").isTrue();
    }

    @Test
    void offNeverEmbedsAgain() {
        assertThat(Screening.off().on()).isFalse();
        assertThat(Screening.off().unsure(0.53, 0.53)).isFalse();
        assertThat(new Screening(" ", 0.05).on()).as("a blank model is off").isFalse();
    }

    @Test
    void aMarginOutsideZeroToOneIsRefused() {
        for (double margin : new double[] {0, -0.1, 1.5, Double.NaN, Double.POSITIVE_INFINITY}) {
            assertThatThrownBy(() -> new Screening("fr-feature-512-int8", margin))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("screening margin");
        }
    }
}
