package dev.lfr.cluster;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The processes of a local cluster. Each runs in its own session (setsid), so it outlives the command that started
 * it and a Ctrl-C in that terminal; each carries {@code -Dlfr.cluster=DIR} on its command line, so a pid is only
 * ever signalled while it still belongs to this cluster (pids are reused).
 */
final class Daemons {
    private Daemons() {}

    static String marker(Path dir) {
        return "-Dlfr.cluster=" + dir;
    }

    /** Starts {@code java jvmArgs -cp classpath mainClass args}; output goes to {@code out}. Returns the pid. */
    static long startJava(Path dir, List<String> jvmArgs, String classpath, String mainClass, List<String> args, Path out,
                          Map<String, String> env) {
        List<String> command = new ArrayList<>();
        if (Files.isExecutable(Path.of("/usr/bin/setsid"))) {
            command.add("/usr/bin/setsid");
        }
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add(marker(dir));
        command.addAll(jvmArgs);
        command.add("-cp");
        command.add(classpath);
        command.add(mainClass);
        command.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(out.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().putAll(env);
        try {
            return pb.start().pid();
        } catch (IOException e) {
            throw new ClusterException("cannot start " + mainClass + ": " + e.getMessage());
        }
    }

    /** Whether {@code pid} is alive and one of this cluster's processes. */
    static boolean ours(long pid, Path dir) {
        try {
            byte[] cmdline = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"));
            String args = new String(cmdline, StandardCharsets.UTF_8).replace('\0', ' ');
            return args.contains(marker(dir) + " ") && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
        } catch (IOException e) {
            return false;
        }
    }

    /** SIGTERM, then SIGKILL after {@code grace}; returns when the process is gone. Not ours: nothing is signalled. */
    static void stop(long pid, Path dir, Duration grace) {
        Optional<ProcessHandle> h = ProcessHandle.of(pid);
        if (h.isEmpty() || !ours(pid, dir)) {
            return;
        }
        h.get().destroy();
        if (!awaitExit(h.get(), grace)) {
            h.get().destroyForcibly();
            awaitExit(h.get(), Duration.ofSeconds(10));
        }
    }

    /** SIGKILL, as a crashed machine or an OOM killer would: no shutdown hooks run. */
    static void kill(long pid, Path dir) {
        Optional<ProcessHandle> h = ProcessHandle.of(pid);
        if (h.isPresent() && ours(pid, dir)) {
            h.get().destroyForcibly();
            awaitExit(h.get(), Duration.ofSeconds(10));
        }
    }

    private static boolean awaitExit(ProcessHandle h, Duration timeout) {
        try {
            h.onExit().get(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
            return true;
        } catch (java.util.concurrent.TimeoutException e) {
            return false;
        } catch (java.util.concurrent.ExecutionException e) {
            return !h.isAlive();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !h.isAlive();
        }
    }

    /** A port free on loopback now (the process that binds it comes a moment later; a clash fails its start loudly). */
    static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new ClusterException("no free port on loopback: " + e.getMessage());
        }
    }

    static boolean listening(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** The last lines of a log, for an error message that says where to look. */
    static String tail(Path log, int lines) {
        try {
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join(" | ", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "";
        }
    }

    static String firstLine(Path log) {
        try (var lines = Files.lines(log, StandardCharsets.UTF_8)) {
            return lines.filter(l -> !l.isBlank()).findFirst().orElse("");
        } catch (IOException e) {
            return "";
        }
    }

    static void await(String what, Duration timeout, java.util.function.BooleanSupplier ready, Path log) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!ready.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new ClusterException(what + " not ready within " + timeout.toSeconds() + " s; see " + log);
            }
            FlinkRest.sleep(250);
        }
    }
}
