package dev.lfr.loadtest.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** On a fake clock that moves only when the pacer sleeps or the test says so. */
class PacerTest {
    private long now = 1_000_000_000L;
    private final List<Long> sleeps = new ArrayList<>();
    private final Pacer.Sleeper sleeper = n -> {
        sleeps.add(n);
        now += n;
    };

    @Test
    void stepsAreDueAtStartPlusIOverRate() throws Exception {
        Pacer p = new Pacer(10, () -> now, sleeper);
        for (int i = 0; i < 5; i++) {
            p.awaitNext();
        }
        assertThat(sleeps).containsExactly(100_000_000L, 100_000_000L, 100_000_000L, 100_000_000L);
        assertThat(p.steps()).isEqualTo(5);
        assertThat(p.achievedRate()).isCloseTo(5 / 0.4, within(1e-9)); // 5 steps in 0.4 s so far
    }

    @Test
    void aSenderThatFellBehindSendsOverdueStepsAtOnceAndTheAchievedRateSaysSo() throws Exception {
        Pacer p = new Pacer(10, () -> now, sleeper);
        p.awaitNext();           // t = 0
        now += 350_000_000L;     // the send took 350 ms
        p.awaitNext();           // due at 100 ms: overdue
        p.awaitNext();           // due at 200 ms: overdue
        p.awaitNext();           // due at 300 ms: overdue
        assertThat(sleeps).isEmpty();
        p.awaitNext();           // due at 400 ms: waits 50 ms
        assertThat(sleeps).containsExactly(50_000_000L);
        now += 600_000_000L;     // the last send takes long: achieved 5 steps in 1 s
        assertThat(p.achievedRate()).isCloseTo(5.0, within(1e-9));
        assertThat(p.offeredRate()).isEqualTo(10);
    }

    @Test
    void rateZeroNeverWaits() throws Exception {
        Pacer p = new Pacer(0, () -> now, sleeper);
        for (int i = 0; i < 100; i++) {
            p.awaitNext();
        }
        assertThat(sleeps).isEmpty();
        assertThat(p.steps()).isEqualTo(100);
    }
}
