package dev.lfr.loadtest.replay;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class StackCpuTest {
    @Test
    void countsTheCpuOfTheWatchedProcessesAndTheFramesPerCoreOfTheTaskManagers() {
        long self = ProcessHandle.current().pid();
        StackCpu cpu = StackCpu.start(List.of(new StackCpu.Process(StackCpu.TASKMANAGER, self),
                new StackCpu.Process("broker", Long.MAX_VALUE))); // no such process: left out, not a failure
        long until = System.nanoTime() + 300_000_000L;
        double sink = 0;
        while (System.nanoTime() < until) {
            sink += Math.sqrt(sink + 1); // keeps this thread on a core for 0.3 s
        }
        List<StackCpu.Used> used = cpu.used();

        assertThat(sink).isPositive();
        assertThat(used).singleElement().satisfies(u -> {
            assertThat(u.role()).isEqualTo(StackCpu.TASKMANAGER);
            assertThat(u.cpuSeconds()).isGreaterThan(0.2);
            assertThat(u.cores()).isGreaterThan(0.5);
        });
        ReplayReport.Capacity capacity = ReplayReport.Capacity.of(cpu.seconds(), 100, used);
        assertThat(capacity.jobCores()).isEqualTo(used.get(0).cores());
        assertThat(capacity.framesPerJobCore()).isCloseTo(100 / used.get(0).cpuSeconds(),
                org.assertj.core.data.Offset.offset(1e-9));
        assertThat(StackCpu.jobCores(List.of())).isNull();
    }
}
