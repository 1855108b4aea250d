package dev.lfr.cluster;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * What {@code ./lfr cluster up} started, kept in {@code DIR/cluster.json} so that status, down and the chaos tests
 * find the processes again from another command.
 *
 * @param ports the fixed ports, kept so that a restarted broker comes back at the same address
 */
public record ClusterState(String bootstrap, String rest, Pids pids, Ports ports, int slots, String taskmanagerMemory) {
    /** The processes' ids; the TaskManagers in the order they were started. */
    public record Pids(long broker, long jobmanager, List<Long> taskmanagers) {}

    public record Ports(int broker, int controller, int jobmanagerRpc, int rest) {}

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    static Path file(Path dir) {
        return dir.resolve("cluster.json");
    }

    static ClusterState read(Path dir) {
        Path f = file(dir);
        if (!Files.exists(f)) {
            throw new ClusterException("no cluster in " + dir + " (start one with: lfr cluster up --dir " + dir + ")");
        }
        try {
            return JSON.readValue(f.toFile(), ClusterState.class);
        } catch (IOException e) {
            throw new ClusterException("unreadable " + f + ": " + e.getMessage());
        }
    }

    void write(Path dir) {
        try {
            Path tmp = dir.resolve("cluster.json.tmp");
            JSON.writeValue(tmp.toFile(), this);
            Files.move(tmp, file(dir), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new ClusterException("cannot write " + file(dir) + ": " + e.getMessage());
        }
    }

    ClusterState withPids(Pids p) {
        return new ClusterState(bootstrap, rest, p, ports, slots, taskmanagerMemory);
    }
}
