package dev.lfr.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.lfr.topics.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The Kubernetes manifests agree with the code they deploy and with the CRD schemas of the operator versions that
 * {@code k8s/crds} pins (no cluster here: see k8s/README.md).
 */
class K8sManifestsTest {
    private static final Path K8S = Path.of("..", "k8s");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private static List<JsonNode> documents(String file) throws Exception {
        return documents(K8S.resolve(file));
    }

    private static List<JsonNode> documents(Path file) throws Exception {
        List<JsonNode> docs = new ArrayList<>();
        try (YAMLParser p = new YAMLFactory().createParser(Files.readString(file))) {
            YAML.readValues(p, JsonNode.class).forEachRemaining(d -> {
                if (d != null && !d.isEmpty()) {
                    docs.add(d);
                }
            });
        }
        return docs;
    }

    private static List<String> kustomizationResources() throws Exception {
        List<String> resources = new ArrayList<>();
        documents("kustomization.yaml").get(0).at("/resources").forEach(r -> resources.add(r.asText()));
        return resources;
    }

    /** The pinned CRDs' schemas by "group/version/Kind", made strict: see {@link #rejectUnknownFields}. */
    private static Map<String, Schema> crdSchemas() throws Exception {
        SchemaRegistry registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_4);
        Map<String, Schema> schemas = new HashMap<>();
        try (Stream<Path> files = Files.list(K8S.resolve("crds"))) {
            for (Path f : files.filter(f -> f.toString().matches(".*\\.ya?ml")).toList()) {
                for (JsonNode crd : documents(f)) {
                    String group = crd.at("/spec/group").asText();
                    String kind = crd.at("/spec/names/kind").asText();
                    for (JsonNode v : crd.at("/spec/versions")) {
                        ObjectNode schema = (ObjectNode) v.at("/schema/openAPIV3Schema").deepCopy();
                        // the API server declares these at the root of every resource, whatever the CRD lists
                        ObjectNode root = schema.withObjectProperty("properties");
                        root.putObject("apiVersion").put("type", "string");
                        root.putObject("kind").put("type", "string");
                        if (!root.has("metadata")) {
                            root.putObject("metadata").put("type", "object");
                        }
                        rejectUnknownFields(schema);
                        schemas.put(group + "/" + v.path("name").asText() + "/" + kind, registry.getSchema(schema));
                    }
                }
            }
        }
        return schemas;
    }

    /**
     * The API server drops or (with strict field validation, kubectl's default) refuses fields a structural schema
     * does not declare; a JSON schema allows them. Closing every object that lists its properties and does not
     * preserve unknown fields makes a misspelt field fail here as it would there.
     */
    private static JsonNode rejectUnknownFields(JsonNode schema) {
        if (schema instanceof ObjectNode o) {
            if (o.has("properties") && !o.has("additionalProperties")
                    && !o.path("x-kubernetes-preserve-unknown-fields").asBoolean(false)) {
                o.put("additionalProperties", false);
            }
            o.properties().forEach(e -> {
                if (!e.getKey().equals("enum") && !e.getKey().equals("default") && !e.getKey().equals("example")) {
                    rejectUnknownFields(e.getValue());
                }
            });
        } else if (schema.isArray()) {
            schema.forEach(K8sManifestsTest::rejectUnknownFields);
        }
        return schema;
    }

    /** Kubernetes' own kinds, read into fabric8's typed model: a wrong type fails, an unknown field is reported. */
    private static final Map<String, Class<?>> CORE_KINDS = Map.of(
            "apps/v1/Deployment", io.fabric8.kubernetes.api.model.apps.Deployment.class,
            "v1/ConfigMap", io.fabric8.kubernetes.api.model.ConfigMap.class);

    private static List<String> violations(Map<String, Schema> schemas, JsonNode resource) {
        String type = resource.path("apiVersion").asText() + "/" + resource.path("kind").asText();
        if (CORE_KINDS.containsKey(type)) {
            try {
                List<String> unknown = new ArrayList<>();
                unknownFields(YAML.treeToValue(resource, CORE_KINDS.get(type)), type, unknown);
                return unknown;
            } catch (com.fasterxml.jackson.databind.JsonMappingException e) {
                return List.of(type + " " + e.getOriginalMessage() + " at " + e.getPathReference());
            } catch (Exception e) {
                return List.of(type + " " + e);
            }
        }
        Schema schema = schemas.get(type);
        if (schema == null) {
            return List.of(type + ": no CRD in k8s/crds serves it");
        }
        return schema.validate(resource).stream().map(e -> type + " " + e).toList();
    }

    /**
     * fabric8's model keeps fields it does not know in each object's additional properties (the API server would
     * refuse them): any there is a misspelt or misplaced field.
     */
    private static void unknownFields(Object o, String path, List<String> out) throws Exception {
        if (o == null || !o.getClass().getName().startsWith("io.fabric8.")) {
            if (o instanceof java.util.Collection<?> c) {
                int i = 0;
                for (Object item : c) {
                    unknownFields(item, path + "[" + i++ + "]", out);
                }
            } else if (o instanceof Map<?, ?> m) {
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    unknownFields(e.getValue(), path + "." + e.getKey(), out);
                }
            }
            return;
        }
        for (java.lang.reflect.Method g : o.getClass().getMethods()) {
            if (g.getParameterCount() != 0 || !g.getName().startsWith("get") || g.getDeclaringClass() == Object.class) {
                continue;
            }
            Object v = g.invoke(o);
            if (g.getName().equals("getAdditionalProperties")) {
                ((Map<?, ?>) v).keySet().forEach(k -> out.add(path + ": unknown field " + k));
            } else {
                unknownFields(v, path + "." + g.getName().substring(3), out);
            }
        }
    }

    @Test
    void everyResourceIsValidUnderItsOperatorsPinnedCrd() throws Exception {
        Map<String, Schema> schemas = crdSchemas();
        List<String> problems = new ArrayList<>();
        int resources = 0;
        for (String file : kustomizationResources()) {
            for (JsonNode resource : documents(file)) {
                resources++;
                violations(schemas, resource).forEach(v -> problems.add(file + ": " + v));
            }
        }
        assertThat(problems).isEmpty();
        assertThat(resources).isGreaterThanOrEqualTo(14);
    }

    @Test
    void theCrdCheckRefusesMisspeltFieldsWrongTypesUnknownVersionsAndRetiredApis() throws Exception {
        Map<String, Schema> schemas = crdSchemas();
        JsonNode good = documents("flink-deployment.yaml").get(0);
        assertThat(violations(schemas, good)).isEmpty();

        ObjectNode misspelt = good.deepCopy();
        ((ObjectNode) misspelt.get("spec")).set("jobb", misspelt.at("/spec/job"));
        assertThat(violations(schemas, misspelt)).singleElement().asString().contains("jobb");

        ObjectNode wrongType = good.deepCopy();
        ((ObjectNode) wrongType.at("/spec/job")).put("parallelism", "two");
        assertThat(violations(schemas, wrongType)).singleElement().asString().contains("parallelism");

        ObjectNode unknownFlink = good.deepCopy();
        ((ObjectNode) unknownFlink.get("spec")).put("flinkVersion", "v1_9");
        assertThat(violations(schemas, unknownFlink)).singleElement().asString().contains("flinkVersion");

        // Strimzi 1.0 removed kafka.strimzi.io/v1beta2, which these manifests used before they were checked
        ObjectNode retired = documents("kafka-topics.yaml").get(0).deepCopy();
        retired.put("apiVersion", "kafka.strimzi.io/v1beta2");
        assertThat(violations(schemas, retired)).singleElement().asString().contains("no CRD");

        // Kubernetes' own kinds: the gateway's Deployment
        JsonNode gateway = documents("gateway.yaml").get(1);
        assertThat(violations(schemas, gateway)).isEmpty();
        ObjectNode misplaced = gateway.deepCopy();
        ((ObjectNode) misplaced.at("/spec/template/spec/containers/0")).put("replicas", 2);
        assertThat(violations(schemas, misplaced)).singleElement().asString().contains("unknown field replicas");
        ObjectNode badPort = gateway.deepCopy();
        ((ObjectNode) badPort.at("/spec/template/spec/containers/0/ports/0")).put("containerPort", "nine thousand");
        assertThat(violations(schemas, badPort)).singleElement().asString().contains("containerPort");
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
        assertThat(kustomizationResources()).containsExactlyInAnyOrder("kafka-cluster.yaml", "kafka-topics.yaml",
                "flink-deployment.yaml", "prometheus.yaml", "gateway.yaml");
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
