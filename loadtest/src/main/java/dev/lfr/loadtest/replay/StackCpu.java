package dev.lfr.loadtest.replay;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The CPU that the stack's own processes use while a replay is timed: a local cluster's broker, JobManager and
 * TaskManagers, each in a process of its own. With the job in TaskManagers, its CPU is apart from the broker's and
 * the load generator's, which is what frames per core (the capacity model) must count.
 */
public final class StackCpu {
    /** The role a TaskManager process is listed under; the job's CPU is theirs. */
    public static final String TASKMANAGER = "taskmanager";

    /** A process to watch. */
    public record Process(String role, long pid) {}

    /** What a process used over the timed phase; {@code cores} is CPU seconds over wall seconds. */
    public record Used(String role, long pid, double cpuSeconds, double cores) {}

    private final List<Process> processes;
    private final long[] cpuNanosBefore;
    private final long startedNanos = System.nanoTime();

    private StackCpu(List<Process> processes) {
        this.processes = List.copyOf(processes);
        this.cpuNanosBefore = processes.stream().mapToLong(p -> cpuNanos(p.pid())).toArray();
    }

    /** Starts counting now. */
    public static StackCpu start(List<Process> processes) {
        return new StackCpu(processes);
    }

    /** Wall seconds since {@link #start}. */
    public double seconds() {
        return (System.nanoTime() - startedNanos) / 1e9;
    }

    /** What each process used since {@link #start}; a process that is gone (or unreadable) is left out. */
    public List<Used> used() {
        double seconds = seconds();
        List<Used> out = new ArrayList<>();
        for (int i = 0; i < processes.size(); i++) {
            long after = cpuNanos(processes.get(i).pid());
            if (after >= 0 && cpuNanosBefore[i] >= 0 && after >= cpuNanosBefore[i]) {
                double cpu = (after - cpuNanosBefore[i]) / 1e9;
                out.add(new Used(processes.get(i).role(), processes.get(i).pid(), cpu, seconds > 0 ? cpu / seconds : 0));
            }
        }
        return out;
    }

    /** The cores the TaskManagers used together, or null when none was watched. */
    public static Double jobCores(List<Used> used) {
        List<Used> tms = used.stream().filter(u -> TASKMANAGER.equals(u.role())).toList();
        return tms.isEmpty() ? null : tms.stream().mapToDouble(Used::cores).sum();
    }

    /** The process's CPU time so far (user and system, all threads), or -1 when it cannot be read. */
    private static long cpuNanos(long pid) {
        return ProcessHandle.of(pid).flatMap(h -> h.info().totalCpuDuration()).map(Duration::toNanos).orElse(-1L);
    }
}
