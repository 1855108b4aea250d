package dev.lfr.loadtest.replay;

import dev.lfr.governance.GovernanceException;
import dev.lfr.governance.audit.AuditEvent;
import dev.lfr.governance.audit.AuditTrail;
import dev.lfr.governance.deployment.DeploymentLifecycle;
import dev.lfr.governance.deployment.DeploymentRequest;
import dev.lfr.governance.policy.GovernancePolicy;
import dev.lfr.jobs.LiveMatchJob;
import dev.lfr.jobs.SinkDelivery;
import dev.lfr.jobs.kafka.ControlTopicReads;
import dev.lfr.jobs.kafka.WatchlistTopic;
import dev.lfr.schemas.AuditAction;
import dev.lfr.schemas.AvroBytes;
import dev.lfr.schemas.Deployment;
import dev.lfr.schemas.DeploymentLocation;
import dev.lfr.schemas.DeploymentStatus;
import dev.lfr.schemas.WatchlistOp;
import dev.lfr.schemas.WatchlistUpdate;
import dev.lfr.testkit.LocalKafka;
import dev.lfr.topics.KafkaClients;
import dev.lfr.topics.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * What a replay or the demo runs against: a Kafka broker (in-process KRaft unless a bootstrap address is given),
 * a deployment of the replay's cameras with its watchlist, and the live matching job on a Flink MiniCluster in this
 * JVM (unless a job already runs elsewhere). Closing it cancels the job and stops the broker it started.
 */
public final class LocalStack implements AutoCloseable {
    private final LocalKafka kafka;
    private final String bootstrap;
    private final String deploymentId;
    private final String jobGroup;
    private JobClient job;
    private Thread restartWatch;
    private final java.util.concurrent.atomic.AtomicInteger restarts = new java.util.concurrent.atomic.AtomicInteger();
    private java.nio.file.Path checkpoints;
    private GovernancePolicy policy;
    private Deployment deployment;

    private LocalStack(LocalKafka kafka, String bootstrap, String deploymentId, String jobGroup) {
        this.kafka = kafka;
        this.bootstrap = bootstrap;
        this.deploymentId = deploymentId;
        this.jobGroup = jobGroup;
    }

    /**
     * How the job runs when the stack runs it.
     *
     * @param checkpointMs the checkpoint interval (exactly-once sinks make records readable at each checkpoint)
     */
    public record LocalJob(LiveMatchJob.Config config, int parallelism, long checkpointMs, SinkDelivery delivery) {
        /** Short, so that a demo's metrics appear soon (a cluster's default is 5 s, {@code lfr cluster up}). */
        public static final long CHECKPOINT_MS = 2_000;

        public LocalJob(LiveMatchJob.Config config, int parallelism) {
            this(config, parallelism, CHECKPOINT_MS, SinkDelivery.defaults());
        }
    }

    /**
     * A watchlist subject of a replay.
     *
     * @param displayName       what the officer's console shows, or null for the subject id
     * @param referenceImageUri the stored reference photo ({@code lfr-image:}), or null
     */
    public record Subject(float[] template, String displayName, String referenceImageUri) {
        public Subject(float[] template) {
            this(template, null, null);
        }
    }

    /**
     * @param bootstrap   an existing broker, or null to start one in-process
     * @param runJob      whether to run the job here (false: a job already consumes the topics, as {@code jobGroup})
     * @param jobGroup    the job's consumer group (lag is measured on it)
     * @param subjects    by subject id, published to watchlist {@code watchlist}
     * @param local       how the job runs here, where it does
     * @throws IllegalArgumentException when the job would refuse the deployment (a threshold out of its range)
     */
    public static LocalStack start(String bootstrap, boolean runJob, String jobGroup, String watchlist, String model,
                            java.util.Map<String, Subject> subjects, List<String> cameras, float threshold,
                            LocalJob local) throws Exception {
        LiveMatchJob.Config config = local.config();
        LocalKafka broker = bootstrap == null ? new LocalKafka() : null;
        String bs = bootstrap != null ? bootstrap : broker.bootstrap();
        long now = System.currentTimeMillis();
        LocalStack stack = new LocalStack(broker, bs, "replay-" + now, jobGroup);
        try {
            if (broker != null) {
                broker.createTopics(Topics.ALL.toArray(String[]::new));
            }
            List<ProducerRecord<byte[], byte[]>> entries = new ArrayList<>();
            WatchlistTopic topic = new WatchlistTopic(bs, Topics.WATCHLIST);
            subjects.forEach((subject, s) -> {
                List<Float> vector = new ArrayList<>(s.template().length);
                for (float x : s.template()) {
                    vector.add(x);
                }
                entries.add(topic.record(WatchlistUpdate.newBuilder().setWatchlist(watchlist).setSubject(subject).setVersion(now)
                        .setOp(WatchlistOp.UPSERT).setEmbeddingModel(model).setVector(vector).setDisplayName(s.displayName())
                        .setReferenceImageUri(s.referenceImageUri()).setReason(PURPOSE)
                        .setImageSource("the replay's gallery").setLegalBasis("test data, no person is sought")
                        .setEnrolledBy(ACTOR).setEnrolledAt(Instant.ofEpochMilli(now)).build()));
            });
            // the replay's deployment goes through the same lifecycle as a real one, so the job sees what it would see
            stack.policy = GovernancePolicy.defaults().withRules(config.input()).withPurpose(PURPOSE);
            DeploymentLifecycle lifecycle = new DeploymentLifecycle(stack.policy);
            Instant at = Instant.ofEpochMilli(now);
            Deployment d;
            try {
                Deployment planned = lifecycle.create(new DeploymentRequest(stack.deploymentId, PURPOSE, ACTOR, stack.deploymentId, at,
                        new DeploymentLocation("replay", 0.0, 0.0), cameras, at.minusSeconds(3600), at.plusSeconds(11 * 3600), watchlist,
                        threshold, true, false), at);
                d = lifecycle.activate(planned, true, now, subjects.size(), at);
            } catch (GovernanceException e) {
                throw new IllegalArgumentException("the replay's deployment is refused: " + e.getMessage());
            }
            stack.deployment = d;
            entries.add(deploymentRecord(d));
            String summary = subjects.size() + " subjects of the replay's gallery";
            new AuditTrail(bs, java.time.Clock.systemUTC()).commit(entries, List.of(
                    new AuditEvent(ACTOR, AuditAction.SUBJECT_ENROLLED, null, watchlist, null, "enrolled " + summary, PURPOSE),
                    new AuditEvent(ACTOR, AuditAction.DEPLOYMENT_CREATED, d.getId(), watchlist, null, "created for cameras "
                            + String.join(",", cameras), PURPOSE),
                    new AuditEvent(ACTOR, AuditAction.DEPLOYMENT_ACTIVATED, d.getId(), watchlist, null, "activated with " + summary,
                            PURPOSE)));
            if (!runJob) {
                // a job that runs elsewhere must have the deployment before the first frame, or the gate refuses
                // the camera's frames (the two topics are read independently): wait until its group commits past it
                var last = KafkaClients.latestByKey(bs, Topics.DEPLOYMENTS).get(d.getId());
                awaitConsumed(bs, jobGroup, new org.apache.kafka.common.TopicPartition(Topics.DEPLOYMENTS, last.partition()),
                        last.offset() + 1, java.time.Duration.ofSeconds(60));
            }
            if (runJob) {
                // checkpoints to files, as on a cluster: the JobManager's memory takes at most 5 MB a subtask,
                // which open alerts with their crops pass on a busy replay (the job then fails every checkpoint)
                stack.checkpoints = java.nio.file.Files.createTempDirectory("lfr-replay-checkpoints-");
                org.apache.flink.configuration.Configuration cluster = new org.apache.flink.configuration.Configuration();
                cluster.set(org.apache.flink.configuration.CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
                cluster.set(org.apache.flink.configuration.CheckpointingOptions.CHECKPOINTS_DIRECTORY,
                        stack.checkpoints.toUri().toString());
                StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(cluster);
                env.setParallelism(local.parallelism());
                env.enableCheckpointing(local.checkpointMs());
                LiveMatchJob.build(LiveMatchJob.kafkaSources(env, bs, jobGroup),
                        LiveMatchJob.kafkaSinks(bs, jobGroup, local.delivery()), config,
                        ControlTopicReads.kafka(bs, config.input()));
                stack.job = env.executeAsync("lfr live matching (local)");
                stack.watchRestarts();
            }
            return stack;
        } catch (Exception e) {
            stack.close();
            throw e;
        }
    }

    /**
     * Counts the local job's restarts, so that a replay cannot report figures of a job that failed and recovered as
     * if it had run through: a job restarts after its restart delay (a second or more), which a poll every 200 ms sees.
     */
    private void watchRestarts() {
        restartWatch = new Thread(() -> {
            org.apache.flink.api.common.JobStatus last = null;
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    var status = job.getJobStatus().get(5, java.util.concurrent.TimeUnit.SECONDS);
                    if (status == org.apache.flink.api.common.JobStatus.RESTARTING && last != status) {
                        restarts.incrementAndGet();
                    }
                    last = status;
                    if (status.isGloballyTerminalState()) {
                        return;
                    }
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    return;
                } catch (java.util.concurrent.TimeoutException e) {
                    continue; // a busy MiniCluster answered late: ask again rather than stop counting
                } catch (Exception e) {
                    return; // the job is gone: nothing more to count
                }
            }
        }, "local-job-restarts");
        restartWatch.setDaemon(true);
        restartWatch.start();
    }

    /** How often the local job has restarted since it started; null when the job runs elsewhere. */
    public Integer jobRestarts() {
        return job == null ? null : restarts.get();
    }

    /** Waits until {@code group} has committed {@code offset} or beyond on {@code partition} (its checkpoints commit). */
    private static void awaitConsumed(String bootstrap, String group, org.apache.kafka.common.TopicPartition partition, long offset,
                                      java.time.Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(
                java.util.Map.of(org.apache.kafka.clients.admin.AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            while (true) {
                var committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get().get(partition);
                if (committed != null && committed.offset() >= offset) {
                    return;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the job (consumer group " + group + ") did not read the replay's deployment within "
                            + timeout.toSeconds() + " s: is it running, and does it checkpoint?");
                }
                Thread.sleep(250);
            }
        }
    }

    public String bootstrap() {
        return bootstrap;
    }

    public String deploymentId() {
        return deploymentId;
    }

    public String jobGroup() {
        return jobGroup;
    }

    static final String PURPOSE = "load-test";
    /** The watchlist a replay enrols its gallery into. */
    public static final String WATCHLIST = "replay";
    static final String ACTOR = "lfr-replay";

    private static ProducerRecord<byte[], byte[]> deploymentRecord(Deployment d) {
        return new ProducerRecord<>(Topics.DEPLOYMENTS, d.getId().getBytes(StandardCharsets.UTF_8), AvroBytes.encode(d));
    }

    /**
     * Ends the replay's deployment (audited; the gate stops its frames at once), so that a later replay of the same
     * camera ids against a long-running job is not covered by this one. Idempotent.
     *
     * @return the ended deployment
     */
    public Deployment end() {
        if (deployment.getStatus() != DeploymentStatus.ENDED) {
            Deployment ended = new DeploymentLifecycle(policy).end(deployment, Instant.now());
            new AuditTrail(bootstrap, java.time.Clock.systemUTC()).commit(List.of(deploymentRecord(ended)),
                    List.of(new AuditEvent(ACTOR, AuditAction.DEPLOYMENT_ENDED, ended.getId(), ended.getWatchlist(), null, "ended",
                            "the replay is over")));
            deployment = ended;
        }
        return deployment;
    }

    /**
     * Ends the replay's deployment ({@link #end}); then cancels the local job and stops the local broker, where this
     * stack started them.
     *
     * @throws IllegalStateException when the deployment could not be ended on a broker this stack did not start
     *     (it would go on covering these cameras for hours), after the rest is closed
     */
    @Override
    public void close() throws Exception {
        Exception unended = null;
        try {
            if (deployment != null) {
                end();
            }
        } catch (Exception e) {
            unended = e; // on a broker of our own, it goes with the broker
        }
        try {
            if (restartWatch != null) {
                restartWatch.interrupt();
            }
            if (job != null) {
                job.cancel().get();
            }
        } finally {
            try {
                if (kafka != null) {
                    kafka.close();
                }
            } finally {
                if (checkpoints != null) {
                    org.apache.flink.util.FileUtils.deleteDirectory(checkpoints.toFile());
                }
            }
        }
        if (unended != null && kafka == null) {
            throw new IllegalStateException("could not end deployment " + deploymentId + " on " + bootstrap
                    + " (it would cover this replay's cameras until it ends): " + unended.getMessage(), unended);
        }
    }
}
