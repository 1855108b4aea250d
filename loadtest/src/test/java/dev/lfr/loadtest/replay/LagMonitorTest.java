package dev.lfr.loadtest.replay;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class LagMonitorTest {
    @Test
    void consumedRateRunsFromTheFirstCommitToCatchingUp() {
        List<LagMonitor.Sample> s = List.of(
                new LagMonitor.Sample(0, 100, 100),      // nothing committed yet
                new LagMonitor.Sample(1000, 400, 400),   // still nothing
                new LagMonitor.Sample(2000, 580, 600),   // first commit: 20 consumed
                new LagMonitor.Sample(4000, 400, 600),   // 200 consumed
                new LagMonitor.Sample(6000, 0, 600),     // caught up: 600 consumed
                new LagMonitor.Sample(9000, 0, 600));    // idle afterwards: not counted
        assertThat(LagMonitor.consumedPerSecond(s, false)).isEqualTo((600 - 20) / 4.0);
        assertThat(LagMonitor.consumedPerSecond(s, true)).isEqualTo((600 - 20) / 4.0); // produced all by the first commit
        assertThat(LagMonitor.consumedPerSecond(s.subList(0, 2), false)).isNaN();
        List<LagMonitor.Sample> slowProducer = List.of(
                new LagMonitor.Sample(0, 50, 100),
                new LagMonitor.Sample(2000, 100, 300),   // still producing
                new LagMonitor.Sample(4000, 200, 500),   // all produced
                new LagMonitor.Sample(6000, 0, 500));
        assertThat(LagMonitor.consumedPerSecond(slowProducer, true)).isEqualTo(200 / 2.0);
        assertThat(LagMonitor.consumedPerSecond(slowProducer, false)).isEqualTo((500 - 50) / 6.0);
    }

    @Test
    void aBacklogConsumedWithinOneCommitHasNoRateRatherThanZero() {
        List<LagMonitor.Sample> tiny = List.of(
                new LagMonitor.Sample(0, 25, 25),        // 25 frames sent, nothing committed yet
                new LagMonitor.Sample(2000, 0, 25),      // the first commit holds them all
                new LagMonitor.Sample(4000, 0, 25));
        assertThat(LagMonitor.consumedPerSecond(tiny, false)).isNaN();
        assertThat(LagMonitor.consumedPerSecond(tiny, true)).isNaN();
    }
}
