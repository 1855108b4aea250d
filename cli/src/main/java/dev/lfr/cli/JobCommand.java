package dev.lfr.cli;

import dev.lfr.cluster.Builds;
import dev.lfr.cluster.FlinkRest;
import dev.lfr.cluster.LocalCluster;
import dev.lfr.udfs.model.ModelInstaller;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "job", description = "Submit, list, stop and resume the live matching job on any Flink cluster, through its REST API.",
        subcommands = {JobCommand.Submit.class, JobCommand.ListJobs.class, JobCommand.Cancel.class, JobCommand.Savepoint.class,
                JobCommand.Resume.class})
final class JobCommand extends LfrCommand.Group {
    static final String ENTRY_CLASS = "dev.lfr.jobs.LiveMatchJob";

    /** Which JobManager: a REST address, or a local cluster's folder (the default folder when neither is given). */
    static class Endpoint {
        @ArgGroup(exclusive = true)
        Choice choice;

        static class Choice {
            @Option(names = "--rest", paramLabel = "URL", description = "a JobManager's REST address, e.g. http://localhost:8081")
            String rest;

            @Option(names = "--cluster", paramLabel = "D", description = "a cluster started by lfr cluster up --dir D")
            Path cluster;
        }

        FlinkRest rest() {
            return new FlinkRest(choice != null && choice.rest != null ? choice.rest : local().state().rest());
        }

        LocalCluster local() {
            ClusterCommand.Dir d = new ClusterCommand.Dir();
            d.dir = choice != null ? choice.cluster : null;
            return d.cluster();
        }

        boolean isLocal() {
            return choice == null || choice.rest == null;
        }
    }

    /** How the job is started: the jar, its parallelism and its arguments. */
    static class Launch {
        @Option(names = "--parallelism", paramLabel = "P", description = "the job's parallelism (default: the cluster's)")
        Integer parallelism;

        @Option(names = "--jar", paramLabel = "JAR", description = "the job jar (default: the shaded jar this checkout built)")
        Path jar;

        @Option(names = "--bootstrap", paramLabel = "HOST:PORT", description = "the job's Kafka (default: the local cluster's broker)")
        String bootstrap;

        @Parameters(paramLabel = "JOB_ARGS", description = "more job arguments after --, e.g. -- --watchlist.index hnsw")
        List<String> jobArgs = new ArrayList<>();

        String submit(Endpoint endpoint, String savepoint) {
            String kafka = bootstrap;
            if (kafka == null) {
                if (!endpoint.isLocal()) {
                    throw new UserError("--bootstrap is needed with --rest: the job must know its Kafka");
                }
                kafka = endpoint.local().state().bootstrap();
            }
            return JobCommand.submit(endpoint.rest(), jar != null ? jar : Builds.ofThisCheckout().jobJar(), kafka,
                    parallelism, savepoint, jobArgs);
        }
    }

    /** Uploads {@code jar} and runs the live job on {@code kafka} with this machine's models; returns the job id. */
    static String submit(FlinkRest rest, java.nio.file.Path jar, String kafka, Integer parallelism, String savepoint,
                         List<String> jobArgs) {
        List<String> args = new ArrayList<>(List.of("--bootstrap", kafka, "--models.dir", ModelInstaller.defaultDir().toAbsolutePath().toString()));
        args.addAll(jobArgs);
        return rest.run(rest.upload(jar), new FlinkRest.Run(ENTRY_CLASS, args, parallelism, savepoint));
    }

    @Command(name = "submit", description = "Upload the job jar and run LiveMatchJob; prints the job id.")
    static class Submit extends LfrCommand implements Callable<Integer> {
        @Mixin
        Endpoint endpoint;

        @Mixin
        Launch launch;

        /** The savepoint to start from; none for a fresh start. */
        String savepoint() {
            return null;
        }

        @Override
        public Integer call() {
            out().println(launch.submit(endpoint, savepoint()));
            return 0;
        }
    }

    @Command(name = "resume", description = "Run the job again from a savepoint (optionally at another parallelism); prints the job id.")
    static final class Resume extends Submit {
        @Option(names = "--savepoint", paramLabel = "PATH", required = true, description = "the savepoint (as lfr job savepoint printed it)")
        String savepoint;

        @Override
        String savepoint() {
            return savepoint;
        }
    }

    @Command(name = "list", description = "Every job the JobManager knows: id, state (RUNNING, RESTARTING, ...), name.")
    static final class ListJobs extends LfrCommand implements Callable<Integer> {
        @Mixin
        Endpoint endpoint;

        @Option(names = "--json", description = "one JSON object a line")
        boolean json;

        @Override
        public Integer call() throws Exception {
            for (FlinkRest.Job j : endpoint.rest().jobs()) {
                if (json) {
                    printJson(j);
                } else {
                    out().printf("%s  %-11s  %s%n", j.id(), j.state(), j.name());
                }
            }
            return 0;
        }
    }

    /** A command on one job: the JobManager and the job's id. */
    abstract static class OnJob extends LfrCommand implements Callable<Integer> {
        @Mixin
        Endpoint endpoint;

        @Parameters(paramLabel = "JOB_ID", description = "as lfr job list prints it")
        String jobId;
    }

    @Command(name = "cancel", description = "Cancel a job without a savepoint (its last checkpoint is kept).")
    static final class Cancel extends OnJob {
        @Override
        public Integer call() {
            endpoint.rest().cancel(jobId);
            out().println("cancelling " + jobId);
            return 0;
        }
    }

    @Command(name = "savepoint", description = "Take a savepoint of a job (with --stop: and stop it); prints the savepoint's path.")
    static final class Savepoint extends OnJob {
        @Option(names = "--stop", description = "stop the job once the savepoint is taken (for an upgrade or a rescale)")
        boolean stop;

        @Option(names = "--target", paramLabel = "DIR", description = "where (default: the cluster's savepoint folder)")
        String target;

        @Option(names = "--timeout", paramLabel = "SECONDS", description = "how long to wait (default ${DEFAULT-VALUE})")
        int timeout = 120;

        @Override
        public Integer call() {
            FlinkRest rest = endpoint.rest();
            Duration t = Duration.ofSeconds(timeout);
            out().println(stop ? rest.stopWithSavepoint(jobId, target, t) : rest.savepoint(jobId, target, t));
            return 0;
        }
    }
}
