package dev.lfr.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * What the build left for running on a cluster: the classpaths of Flink's runtime and of the Kafka broker
 * ({@code cluster/runtime/*}), and the shaded job jar ({@code flink-jobs}). Found under the repository root, which
 * {@code ./lfr} and the tests pass as the system property {@code lfr.root}.
 */
public record Builds(Path root) {
    /** The builds of the checkout this process runs from. */
    public static Builds ofThisCheckout() {
        String root = System.getProperty("lfr.root");
        return new Builds(Path.of(root != null ? root : ".").toAbsolutePath().normalize());
    }

    /** The JobManager's and TaskManagers' classpath: Flink's runtime and logging, nothing of this project. */
    public String flinkClasspath() {
        return classpath("cluster/runtime/flink");
    }

    /** The Kafka broker's classpath. */
    public String kafkaClasspath() {
        return classpath("cluster/runtime/kafka");
    }

    /** The one job artifact: {@code flink-jobs/target/lfr-flink-jobs-VERSION-job.jar}. */
    public Path jobJar() {
        Path target = root.resolve("flink-jobs/target");
        try (Stream<Path> files = Files.exists(target) ? Files.list(target) : Stream.empty()) {
            return files.filter(p -> p.getFileName().toString().matches("lfr-flink-jobs-.*-job\\.jar")).findFirst()
                    .orElseThrow(() -> new ClusterException("no job jar in " + target + ": build it with `mvn -DskipTests install`"));
        } catch (IOException e) {
            throw new ClusterException("cannot list " + target + ": " + e.getMessage());
        }
    }

    private String classpath(String module) {
        Path file = root.resolve(module).resolve("target/classpath.txt");
        try {
            return Files.readString(file).strip();
        } catch (IOException e) {
            throw new ClusterException("no " + file + ": build it with `mvn -DskipTests install`");
        }
    }
}
