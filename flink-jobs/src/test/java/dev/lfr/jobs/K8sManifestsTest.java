package dev.lfr.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import dev.lfr.topics.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The Kubernetes manifests agree with the code they deploy (no cluster here: see k8s/README.md). */
class K8sManifestsTest {
    private static final Path K8S = Path.of("..", "k8s");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private static List<JsonNode> documents(String file) throws Exception {
        List<JsonNode> docs = new ArrayList<>();
        try (YAMLParser p = new YAMLFactory().createParser(Files.readString(K8S.resolve(file)))) {
            YAML.readValues(p, JsonNode.class).forEachRemaining(docs::add);
        }
        return docs;
    }

    @Test
    void everyTopicOfTheCodeIsDeclaredAndFramesAreKeptBriefly() throws Exception {
        List<JsonNode> topics = documents("kafka-topics.yaml");
        assertThat(topics).extracting(t -> t.at("/metadata/name").asText())
                .containsExactlyInAnyOrderElementsOf(Topics.ALL);
        JsonNode frames = topics.stream().filter(t -> t.at("/metadata/name").asText().equals(Topics.FRAMES))
                .findFirst().orElseThrow();
        assertThat(Long.parseLong(frames.at("/spec/config/retention.ms").asText())).isLessThanOrEqualTo(3_600_000L);
        for (String compacted : List.of(Topics.WATCHLIST, Topics.DEPLOYMENTS)) {
            assertThat(topics).filteredOn(t -> t.at("/metadata/name").asText().equals(compacted))
                    .singleElement().satisfies(t -> assertThat(t.at("/spec/config/cleanup.policy").asText()).isEqualTo("compact"));
        }
    }

    @Test
    void theFlinkDeploymentRunsTheJobClassWithArgumentsItReads() throws Exception {
        JsonNode d = documents("flink-deployment.yaml").get(0);
        assertThat(d.at("/kind").asText()).isEqualTo("FlinkDeployment");
        assertThat(d.at("/spec/job/entryClass").asText()).isEqualTo(LiveMatchJob.class.getName());
        List<String> args = new ArrayList<>();
        d.at("/spec/job/args").forEach(a -> args.add(a.asText()));
        assertThat(args).contains("--bootstrap").hasSize(args.size() / 2 * 2);
        for (int i = 0; i < args.size(); i += 2) {
            assertThat(args.get(i)).isIn("--bootstrap", "--parallelism", "--checkpoint-ms", "--group", "--embedder",
                    "--metrics-window-s");
        }
        assertThat(d.at("/spec/podTemplate/spec/containers/0/env").findValuesAsText("name")).contains("OMP_WAIT_POLICY");
        List<String> resources = new ArrayList<>();
        documents("kustomization.yaml").get(0).at("/resources").forEach(r -> resources.add(r.asText()));
        assertThat(resources).containsExactlyInAnyOrder("kafka-topics.yaml", "flink-deployment.yaml", "prometheus.yaml");
    }

    @Test
    void prometheusScrapesThePortTheReporterListensOnAndTheJobManagerIsHighlyAvailable() throws Exception {
        JsonNode d = documents("flink-deployment.yaml").get(0);
        JsonNode conf = d.at("/spec/flinkConfiguration");
        assertThat(conf.path("high-availability.type").asText()).isEqualTo("kubernetes");
        assertThat(conf.path("high-availability.storageDir").asText()).isNotBlank();
        assertThat(conf.path("env.java.opts.taskmanager").asText()).contains("-XX:+UseZGC");
        JsonNode port = d.at("/spec/podTemplate/spec/containers/0/ports/0");
        assertThat(port.path("containerPort").asText()).isEqualTo(conf.path("metrics.reporter.prom.port").asText());
        JsonNode monitor = documents("prometheus.yaml").get(0);
        assertThat(monitor.at("/kind").asText()).isEqualTo("PodMonitor");
        assertThat(monitor.at("/spec/podMetricsEndpoints/0/port").asText()).isEqualTo(port.path("name").asText());
        // the operator labels a deployment's pods app=<its name>
        assertThat(monitor.at("/spec/selector/matchLabels/app").asText()).isEqualTo(d.at("/metadata/name").asText());
    }
}
