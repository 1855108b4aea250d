package dev.lfr.cluster;

import dev.lfr.topics.KafkaClients;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.runtime.clusterframework.TaskExecutorProcessSpec;
import org.apache.flink.runtime.clusterframework.TaskExecutorProcessUtils;
import org.apache.flink.runtime.jobmanager.JobManagerProcessSpec;
import org.apache.flink.runtime.jobmanager.JobManagerProcessUtils;
import org.apache.flink.runtime.util.config.memory.ProcessMemoryUtils;

/**
 * A cluster on this machine, each part its own process, as on separate machines: an Apache Kafka broker (KRaft,
 * broker and controller in one), and a Flink standalone session cluster (a JobManager with the REST API and web UI,
 * and TaskManagers). Flink's processes run Flink's own entry points on Flink's published modules
 * ({@link Builds#flinkClasspath()}); jobs reach them only through the REST API, as the shaded jar. Everything binds
 * to loopback on free ports; configuration, logs, data, checkpoints and savepoints live under one folder.
 */
public final class LocalCluster {
    private static final String JOBMANAGER = "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint";
    private static final String TASKMANAGER = "org.apache.flink.runtime.taskexecutor.TaskManagerRunner";
    private static final String KAFKA = "kafka.Kafka";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);

    private final Path dir;
    private final Builds builds;
    private ClusterState state;

    private LocalCluster(Path dir, Builds builds, ClusterState state) {
        this.dir = dir;
        this.builds = builds;
        this.state = state;
    }

    /**
     * What {@code up} starts.
     *
     * @param flinkConfig entries that replace or add to the cluster's Flink configuration
     */
    public record Settings(Path dir, int taskmanagers, int slots, String taskmanagerMemory, int framePartitions, Map<String, String> flinkConfig) {
        public Settings {
            if (taskmanagers < 1 || slots < 1) {
                throw new ClusterException("a cluster needs at least one TaskManager with at least one slot");
            }
            if (framePartitions < 1) {
                throw new ClusterException("the frames topic needs at least one partition");
            }
            for (String key : flinkConfig.keySet()) {
                String option = OWN_SETTINGS.get(key);
                if (option != null) {
                    throw new ClusterException(key + " is the cluster's own setting (" + option + ")");
                }
            }
        }

        /**
         * Settings a configuration entry may not replace: the cluster binds loopback only, picks free ports and
         * records them in cluster.json, keeps its files under its folder, and sizes TaskManagers from the options.
         */
        private static final Map<String, String> OWN_SETTINGS = ownSettings();

        private static Map<String, String> ownSettings() {
            Map<String, String> own = new LinkedHashMap<>();
            for (String k : List.of("jobmanager.rpc.address", "jobmanager.bind-host", "rest.address", "rest.bind-address",
                    "taskmanager.host", "taskmanager.bind-host")) {
                own.put(k, "loopback only");
            }
            for (String k : List.of("jobmanager.rpc.port", "rest.port")) {
                own.put(k, "a free port, in cluster.json");
            }
            for (String k : List.of("io.tmp.dirs", "web.upload.dir")) {
                own.put(k, "under --dir");
            }
            own.put("taskmanager.numberOfTaskSlots", "use --slots");
            own.put("taskmanager.memory.process.size", "use --taskmanager-memory");
            return own;
        }

        public static Settings defaults(Path dir) {
            return new Settings(dir, 1, 2, "2560m", 6, Map.of());
        }
    }

    /** The running cluster whose state is in {@code dir}. */
    public static LocalCluster at(Path dir, Builds builds) {
        Path d = dir.toAbsolutePath().normalize();
        return new LocalCluster(d, builds, ClusterState.read(d));
    }

    /** Starts the broker, the JobManager and the TaskManagers, creates the topics, and returns when all are ready. */
    public static LocalCluster up(Settings s, Builds builds) {
        Path dir = s.dir().toAbsolutePath().normalize();
        if (Files.exists(ClusterState.file(dir))) {
            LocalCluster existing = new LocalCluster(dir, builds, ClusterState.read(dir));
            if (existing.anyAlive()) {
                throw new ClusterException("a cluster already runs from " + dir + " (lfr cluster down --dir " + dir + " first)");
            }
        }
        for (String sub : List.of("conf", "log", "kafka", "tmp", "checkpoints", "savepoints")) {
            mkdirs(dir.resolve(sub));
        }
        ClusterState.Ports ports = new ClusterState.Ports(Daemons.freePort(), Daemons.freePort(), Daemons.freePort(), Daemons.freePort());
        ClusterState state = new ClusterState("127.0.0.1:" + ports.broker(), "http://127.0.0.1:" + ports.rest(),
                new ClusterState.Pids(0, 0, List.of()), ports, s.slots(), s.taskmanagerMemory());
        LocalCluster c = new LocalCluster(dir, builds, state);
        c.writeFlinkConfig(s.flinkConfig());
        c.writeLogConfig();
        c.writeKafkaConfig();
        state.write(dir);
        try {
            c.formatKafkaStorage();
            c.startBroker();
            KafkaClients.createTopics(state.bootstrap(), s.framePartitions());
            c.startJobManager();
            for (int i = 0; i < s.taskmanagers(); i++) {
                c.addTaskManager();
            }
            c.awaitTaskManagers(s.taskmanagers());
            return c;
        } catch (Exception e) {
            c.down();
            Throwable root = e;
            while (root.getCause() != null) {
                root = root.getCause();
            }
            throw e instanceof ClusterException ce ? ce : new ClusterException("the cluster did not start: " + root);
        }
    }

    public Path dir() {
        return dir;
    }

    public ClusterState state() {
        return state;
    }

    public FlinkRest rest() {
        return new FlinkRest(state.rest());
    }

    /** The processes still alive, in the shape {@code lfr cluster status --json} prints. */
    public record Status(String bootstrap, String rest, ClusterState.Pids pids) {}

    public Status status() {
        ClusterState.Pids p = state.pids();
        List<Long> tms = p.taskmanagers().stream().filter(pid -> Daemons.ours(pid, dir)).toList();
        return new Status(state.bootstrap(), state.rest(), new ClusterState.Pids(alive(p.broker()), alive(p.jobmanager()), tms));
    }

    private long alive(long pid) {
        return pid != 0 && Daemons.ours(pid, dir) ? pid : 0;
    }

    private boolean anyAlive() {
        Status s = status();
        return s.pids().broker() != 0 || s.pids().jobmanager() != 0 || !s.pids().taskmanagers().isEmpty();
    }

    /** Stops every process this cluster started (TaskManagers first, the broker last); leaves the folder. */
    public void down() {
        ClusterState.Pids p = state.pids();
        for (long tm : p.taskmanagers()) {
            Daemons.stop(tm, dir, Duration.ofSeconds(10));
        }
        Daemons.stop(p.jobmanager(), dir, Duration.ofSeconds(10));
        Daemons.stop(p.broker(), dir, Duration.ofSeconds(20));
        state = state.withPids(new ClusterState.Pids(0, 0, List.of()));
        state.write(dir);
    }

    /** Starts one more TaskManager; returns its pid once it runs (it registers with the JobManager shortly after). */
    public long addTaskManager() {
        int n = state.pids().taskmanagers().size() + 1;
        Configuration conf = flinkConfig();
        TaskExecutorProcessSpec spec = TaskExecutorProcessUtils.processSpecFromConfig(conf);
        List<String> jvm = new ArrayList<>(split(ProcessMemoryUtils.generateJvmParametersStr(spec)));
        jvm.addAll(jvmOptions(conf, CoreOptions.FLINK_DEFAULT_TM_JVM_OPTIONS, CoreOptions.FLINK_TM_JVM_OPTIONS));
        jvm.addAll(logOptions("taskmanager-" + n));
        List<String> args = new ArrayList<>(List.of("--configDir", dir.resolve("conf").toString()));
        args.addAll(split(TaskExecutorProcessUtils.generateDynamicConfigsStr(spec)));
        long pid = Daemons.startJava(dir, jvm, builds.flinkClasspath(), TASKMANAGER, args, dir.resolve("log/taskmanager-" + n + ".out"), nativeEnv());
        List<Long> tms = new ArrayList<>(state.pids().taskmanagers());
        tms.add(pid);
        update(new ClusterState.Pids(state.pids().broker(), state.pids().jobmanager(), tms));
        return pid;
    }

    /** Waits until {@code n} TaskManagers are registered with the JobManager. */
    public void awaitTaskManagers(int n) {
        Daemons.await(n + " TaskManager(s)", START_TIMEOUT, () -> registeredTaskManagers() >= n, dir.resolve("log"));
    }

    private int registeredTaskManagers() {
        try {
            return rest().overview().taskmanagers();
        } catch (ClusterException e) {
            return -1;
        }
    }

    /** {@code kill -9} of one TaskManager: no shutdown, as when its machine dies. */
    public void killTaskManager(long pid) {
        if (!state.pids().taskmanagers().contains(pid)) {
            throw new ClusterException("pid " + pid + " is not a TaskManager of this cluster");
        }
        Daemons.kill(pid, dir);
    }

    /** Stops the broker (SIGTERM, a controlled shutdown), then starts it again at the same address on the same data. */
    public void restartBroker() {
        Daemons.stop(state.pids().broker(), dir, Duration.ofSeconds(30));
        startBroker();
    }

    /** Stops the broker, as a broker upgrade or a lost machine would; {@link #startBroker()} brings it back. */
    public void stopBroker() {
        Daemons.stop(state.pids().broker(), dir, Duration.ofSeconds(30));
    }

    public void startBroker() {
        List<String> jvm = new ArrayList<>(List.of("-Xms512m", "-Xmx1g", "-XX:+UseG1GC"));
        jvm.addAll(logOptions("broker"));
        long pid = Daemons.startJava(dir, jvm, builds.kafkaClasspath(), KAFKA, List.of(dir.resolve("kafka/server.properties").toString()),
                dir.resolve("log/broker.out"), Map.of());
        update(new ClusterState.Pids(pid, state.pids().jobmanager(), state.pids().taskmanagers()));
        Daemons.await("the Kafka broker", START_TIMEOUT, () -> Daemons.listening(state.ports().broker()) || died(pid, "the Kafka broker", "broker"),
                dir.resolve("log/broker.log"));
    }

    private void startJobManager() {
        Configuration conf = flinkConfig();
        JobManagerProcessSpec spec = JobManagerProcessUtils.processSpecFromConfig(conf);
        List<String> jvm = new ArrayList<>(split(JobManagerProcessUtils.generateJvmParametersStr(spec, conf)));
        jvm.addAll(jvmOptions(conf, CoreOptions.FLINK_DEFAULT_JM_JVM_OPTIONS, CoreOptions.FLINK_JM_JVM_OPTIONS));
        jvm.addAll(logOptions("jobmanager"));
        List<String> args = new ArrayList<>(List.of("--configDir", dir.resolve("conf").toString()));
        args.addAll(split(JobManagerProcessUtils.generateDynamicConfigsStr(spec)));
        long pid = Daemons.startJava(dir, jvm, builds.flinkClasspath(), JOBMANAGER, args, dir.resolve("log/jobmanager.out"), nativeEnv());
        update(new ClusterState.Pids(state.pids().broker(), pid, state.pids().taskmanagers()));
        Daemons.await("the JobManager's REST API", START_TIMEOUT, () -> registeredTaskManagers() >= 0 || died(pid, "the JobManager", "jobmanager"),
                dir.resolve("log/jobmanager.log"));
    }

    private boolean died(long pid, String what, String log) {
        if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
            return false;
        }
        throw new ClusterException(what + " exited at start; see " + dir.resolve("log/" + log + ".log") + " and .out: "
                + Daemons.tail(dir.resolve("log/" + log + ".out"), 3));
    }

    private void update(ClusterState.Pids pids) {
        state = state.withPids(pids);
        state.write(dir);
    }

    /** The native libraries' threads must not spin against the task threads (FAISS's OpenMP, OpenBLAS). */
    private static Map<String, String> nativeEnv() {
        return Map.of("OMP_WAIT_POLICY", "PASSIVE", "OMP_NUM_THREADS", "1", "OPENBLAS_NUM_THREADS", "1");
    }

    private List<String> logOptions(String name) {
        return List.of("-Dlog.file=" + dir.resolve("log/" + name + ".log"),
                "-Dlog4j2.configurationFile=" + dir.resolve("conf/log4j2.properties"));
    }

    private static List<String> jvmOptions(Configuration conf, org.apache.flink.configuration.ConfigOption<String> roleDefault,
                                           org.apache.flink.configuration.ConfigOption<String> role) {
        List<String> opts = new ArrayList<>();
        for (var option : List.of(CoreOptions.FLINK_DEFAULT_JVM_OPTIONS, CoreOptions.FLINK_JVM_OPTIONS, roleDefault, role)) {
            opts.addAll(split(conf.get(option)));
        }
        return opts;
    }

    private static List<String> split(String s) {
        return s == null || s.isBlank() ? List.of() : Arrays.asList(s.trim().split("\\s+"));
    }

    private Configuration flinkConfig() {
        return GlobalConfiguration.loadConfiguration(dir.resolve("conf").toString());
    }

    /** The cluster's Flink configuration: what a distribution's conf/config.yaml holds, for this machine. */
    private void writeFlinkConfig(Map<String, String> overrides) {
        ClusterState.Ports p = state.ports();
        Map<String, String> c = new LinkedHashMap<>();
        c.put("jobmanager.rpc.address", "127.0.0.1");
        c.put("jobmanager.bind-host", "127.0.0.1");
        c.put("jobmanager.rpc.port", String.valueOf(p.jobmanagerRpc()));
        c.put("jobmanager.memory.process.size", "1024m");
        c.put("rest.address", "127.0.0.1");
        c.put("rest.bind-address", "127.0.0.1");
        c.put("rest.port", String.valueOf(p.rest()));
        c.put("web.upload.dir", dir.resolve("tmp").toString());
        c.put("taskmanager.host", "127.0.0.1");
        c.put("taskmanager.bind-host", "127.0.0.1");
        c.put("taskmanager.numberOfTaskSlots", String.valueOf(state.slots()));
        c.put("taskmanager.memory.process.size", state.taskmanagerMemory());
        // keyed state lives on the heap (hashmap backend): managed memory would only be reserved and unused
        c.put("taskmanager.memory.managed.size", "0m");
        c.put("io.tmp.dirs", dir.resolve("tmp").toString());
        c.put("parallelism.default", "1");
        // cluster settings, not the job's: checkpoints, where state goes, how failures are retried
        c.put("state.backend.type", "hashmap");
        c.put("execution.checkpointing.interval", "5 s");
        c.put("execution.checkpointing.dir", "file://" + dir.resolve("checkpoints"));
        c.put("execution.checkpointing.savepoint-dir", "file://" + dir.resolve("savepoints"));
        c.put("execution.checkpointing.externalized-checkpoint-retention", "RETAIN_ON_CANCELLATION");
        c.put("restart-strategy.type", "exponential-delay");
        c.put("restart-strategy.exponential-delay.initial-backoff", "1 s");
        c.put("restart-strategy.exponential-delay.max-backoff", "10 s");
        // a lost TaskManager is noticed within seconds, not the default 50 s (its RPCs fail: a dead process refuses them)
        c.put("heartbeat.interval", "2 s");
        c.put("heartbeat.timeout", "20 s");
        // ZGC: G1's young pauses on a million-row watchlist reached 1.2 s (docs/benchmarks.md, issue 10)
        c.put("env.java.opts.taskmanager", "-XX:+UseZGC");
        // what a distribution's config.yaml passes on Java 17: Flink and Kryo reach into these packages
        c.put("env.java.default-opts.all", String.join(" ", "--add-exports=java.base/sun.net.util=ALL-UNNAMED",
                "--add-opens=java.base/java.lang=ALL-UNNAMED", "--add-opens=java.base/java.net=ALL-UNNAMED",
                "--add-opens=java.base/java.io=ALL-UNNAMED", "--add-opens=java.base/java.nio=ALL-UNNAMED",
                "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED", "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
                "--add-opens=java.base/java.text=ALL-UNNAMED", "--add-opens=java.base/java.time=ALL-UNNAMED",
                "--add-opens=java.base/java.util=ALL-UNNAMED", "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
                "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED", "--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED"));
        c.putAll(overrides);
        StringBuilder yaml = new StringBuilder("# written by lfr cluster up; edit and restart the cluster to change it\n");
        c.forEach((k, v) -> yaml.append(k).append(": ").append(quote(v)).append('\n'));
        write(dir.resolve("conf/config.yaml"), yaml.toString());
    }

    private static String quote(String v) {
        return "'" + v.replace("'", "''") + "'";
    }

    private void writeLogConfig() {
        write(dir.resolve("conf/log4j2.properties"), String.join("\n",
                "rootLogger.level = INFO",
                "rootLogger.appenderRef.file.ref = File",
                "appender.file.name = File",
                "appender.file.type = File",
                "appender.file.fileName = ${sys:log.file}",
                "appender.file.layout.type = PatternLayout",
                "appender.file.layout.pattern = %d{yyyy-MM-dd HH:mm:ss,SSS} %-5p %c{1.} [%t] - %m%n",
                "logger.kafka.name = org.apache.kafka",
                "logger.kafka.level = WARN",
                "logger.kafkaserver.name = kafka",
                "logger.kafkaserver.level = WARN",
                ""));
    }

    private void writeKafkaConfig() {
        ClusterState.Ports p = state.ports();
        write(dir.resolve("kafka/server.properties"), String.join("\n",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.bootstrap.servers=127.0.0.1:" + p.controller(),
                "listeners=PLAINTEXT://127.0.0.1:" + p.broker() + ",CONTROLLER://127.0.0.1:" + p.controller(),
                "advertised.listeners=PLAINTEXT://127.0.0.1:" + p.broker() + ",CONTROLLER://127.0.0.1:" + p.controller(),
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=PLAINTEXT",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "log.dirs=" + dir.resolve("kafka/data"),
                "offsets.topic.replication.factor=1",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                "message.max.bytes=" + (8 << 20),
                "auto.create.topics.enable=false",
                ""));
    }

    /** A fresh broker each time the cluster comes up (topics are created again); checkpoints and savepoints stay. */
    private void formatKafkaStorage() throws IOException, InterruptedException {
        Path data = dir.resolve("kafka/data");
        if (Files.exists(data)) {
            try (var files = Files.walk(data)) {
                for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
        String clusterId = org.apache.kafka.common.Uuid.randomUuid().toString();
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", builds.kafkaClasspath(),
                "kafka.tools.StorageTool", "format", "--standalone", "--ignore-formatted", "-t", clusterId, "-c",
                dir.resolve("kafka/server.properties").toString());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("log/kafka-format.out").toFile()).start();
        if (p.waitFor() != 0) {
            throw new ClusterException("formatting the broker's storage failed: " + Daemons.firstLine(dir.resolve("log/kafka-format.out")));
        }
    }

    private static void write(Path file, String text) {
        try {
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new ClusterException("cannot write " + file + ": " + e.getMessage());
        }
    }

    private static void mkdirs(Path p) {
        try {
            Files.createDirectories(p);
        } catch (IOException e) {
            throw new ClusterException("cannot create " + p + ": " + e.getMessage());
        }
    }
}
