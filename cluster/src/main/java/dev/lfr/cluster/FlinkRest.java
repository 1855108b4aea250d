package dev.lfr.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * A client of Flink's REST API (any JobManager: a local cluster, a session cluster, the Kubernetes operator's), for
 * what {@code ./lfr job} and the chaos tests do: upload and run the job jar, list jobs, cancel, stop with a savepoint.
 */
public final class FlinkRest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final URI base;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public FlinkRest(String url) {
        String u = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        try {
            this.base = URI.create(u);
        } catch (IllegalArgumentException e) {
            throw new ClusterException("not a REST address: " + url);
        }
        if (base.getScheme() == null || base.getHost() == null) {
            throw new ClusterException("not a REST address (want http://HOST:PORT): " + url);
        }
    }

    /** A job as {@code /jobs/overview} reports it. */
    public record Job(String id, String name, String state, long startTime) {}

    /** The cluster as {@code /overview} reports it. */
    public record Overview(int taskmanagers, int slotsTotal, int slotsAvailable, int jobsRunning) {}

    /** What the job jar is run with. */
    public record Run(String entryClass, List<String> args, Integer parallelism, String savepointPath) {}

    public Overview overview() {
        JsonNode n = get("/overview");
        return new Overview(n.path("taskmanagers").asInt(), n.path("slots-total").asInt(), n.path("slots-available").asInt(),
                n.path("jobs-running").asInt());
    }

    public List<Job> jobs() {
        List<Job> jobs = new ArrayList<>();
        for (JsonNode j : get("/jobs/overview").path("jobs")) {
            jobs.add(new Job(j.path("jid").asText(), j.path("name").asText(), j.path("state").asText(), j.path("start-time").asLong()));
        }
        return jobs;
    }

    /** One job's state: RUNNING, RESTARTING, CANCELED, FINISHED, FAILED, ... */
    public String state(String jobId) {
        return get("/jobs/" + jobId).path("state").asText();
    }

    /** Whether every task of the job runs (a job can be RUNNING while its tasks still wait for slots). */
    public boolean allTasksRunning(String jobId) {
        JsonNode vertices = get("/jobs/" + jobId).path("vertices");
        if (!vertices.elements().hasNext()) {
            return false;
        }
        for (JsonNode v : vertices) {
            if (!"RUNNING".equals(v.path("status").asText())) {
                return false;
            }
        }
        return true;
    }

    /** The most subtasks any operator of the job runs: the parallelism it was submitted with. */
    public int parallelism(String jobId) {
        int most = 0;
        for (JsonNode v : get("/jobs/" + jobId).path("vertices")) {
            most = Math.max(most, v.path("parallelism").asInt());
        }
        return most;
    }

    /** The number of completed checkpoints of a job. */
    public long completedCheckpoints(String jobId) {
        return get("/jobs/" + jobId + "/checkpoints").path("counts").path("completed").asLong();
    }

    /** Uploads a jar; returns its id on the cluster. */
    public String upload(Path jar) {
        String boundary = "lfr" + UUID.randomUUID();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        try {
            body.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"jarfile\"; filename=\"" + jar.getFileName()
                    + "\"\r\nContent-Type: application/x-java-archive\r\n\r\n").getBytes(StandardCharsets.UTF_8));
            body.write(Files.readAllBytes(jar));
            body.write(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new ClusterException("cannot read " + jar + ": " + e.getMessage());
        }
        HttpRequest request = HttpRequest.newBuilder(base.resolve("/jars/upload")).timeout(Duration.ofMinutes(2))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build();
        String file = send(request).path("filename").asText();
        if (file.isEmpty()) {
            throw new ClusterException("the JobManager accepted the upload but named no jar");
        }
        return Path.of(file).getFileName().toString();
    }

    /** Runs an uploaded jar; returns the job id. */
    public String run(String jarId, Run run) {
        ObjectNode body = JSON.createObjectNode();
        body.put("entryClass", run.entryClass());
        body.putPOJO("programArgsList", run.args());
        if (run.parallelism() != null) {
            body.put("parallelism", run.parallelism());
        }
        if (run.savepointPath() != null) {
            body.put("savepointPath", run.savepointPath());
        }
        return send(post("/jars/" + jarId + "/run", body, Duration.ofMinutes(3))).path("jobid").asText();
    }

    public void cancel(String jobId) {
        send(HttpRequest.newBuilder(base.resolve("/jobs/" + jobId + "?mode=cancel")).timeout(Duration.ofSeconds(30))
                .method("PATCH", HttpRequest.BodyPublishers.noBody()).build());
    }

    /** Stops a job with a savepoint in {@code directory} (null: the cluster's default); returns the savepoint's path. */
    public String stopWithSavepoint(String jobId, String directory, Duration timeout) {
        ObjectNode body = JSON.createObjectNode();
        body.put("targetDirectory", directory);
        body.put("drain", false);
        return awaitSavepoint(jobId, "/jobs/" + jobId + "/stop", body, timeout);
    }

    /** Takes a savepoint and leaves the job running; returns its path. */
    public String savepoint(String jobId, String directory, Duration timeout) {
        ObjectNode body = JSON.createObjectNode();
        body.put("target-directory", directory);
        body.put("cancel-job", false);
        return awaitSavepoint(jobId, "/jobs/" + jobId + "/savepoints", body, timeout);
    }

    /** Triggers a savepoint operation and polls it until it completes or fails. */
    private String awaitSavepoint(String jobId, String triggerPath, ObjectNode body, Duration timeout) {
        String trigger = send(post(triggerPath, body, Duration.ofSeconds(30))).path("request-id").asText();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode n = get("/jobs/" + jobId + "/savepoints/" + trigger);
            if ("COMPLETED".equals(n.path("status").path("id").asText())) {
                JsonNode op = n.path("operation");
                if (op.has("failure-cause")) {
                    String cause = op.path("failure-cause").path("stack-trace").asText("").lines().findFirst().orElse("unknown");
                    throw new ClusterException("the savepoint failed: " + cause);
                }
                return op.path("location").asText();
            }
            sleep(500);
        }
        throw new ClusterException("no savepoint of job " + jobId + " within " + timeout.toSeconds() + " s");
    }

    private HttpRequest post(String path, JsonNode body, Duration timeout) {
        return HttpRequest.newBuilder(base.resolve(path)).timeout(timeout).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build();
    }

    private JsonNode get(String path) {
        return send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30)).GET().build());
    }

    private JsonNode send(HttpRequest request) {
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            String why = e instanceof java.net.ConnectException ? "connection refused"
                    : e instanceof java.net.http.HttpTimeoutException ? "timed out" : "I/O error: " + e.getMessage();
            throw new ClusterException("no JobManager answers at " + base + " (" + why + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClusterException("interrupted while waiting for " + base);
        }
        JsonNode n;
        try {
            n = response.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(response.body());
        } catch (IOException e) {
            throw new ClusterException(request.method() + " " + request.uri().getPath() + ": not a JSON answer (HTTP " + response.statusCode() + ")");
        }
        if (response.statusCode() >= 400) {
            throw new ClusterException(request.method() + " " + request.uri().getPath() + ": HTTP " + response.statusCode() + ": " + firstError(n));
        }
        return n;
    }

    /**
     * Flink answers errors as {"errors": [message, server-side trace]}: the innermost "Caused by" says what went wrong
     * (a job that failed to build, a savepoint that does not exist), else the first line.
     */
    private static String firstError(JsonNode n) {
        List<String> lines = new ArrayList<>();
        n.path("errors").forEach(e -> e.asText().lines().map(String::strip).filter(l -> !l.isEmpty()).forEach(lines::add));
        String cause = null;
        for (String l : lines) {
            if (l.startsWith("Caused by: ")) {
                cause = l.substring("Caused by: ".length());
            }
        }
        return cause != null ? cause : lines.isEmpty() ? "no detail" : lines.get(0);
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClusterException("interrupted");
        }
    }
}
