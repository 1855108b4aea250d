package dev.lfr.cli;

import dev.lfr.cluster.Builds;
import dev.lfr.cluster.FlinkRest;
import dev.lfr.cluster.LocalCluster;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "cluster", description = {"A Kafka broker and a Flink session cluster on this machine, each its own process",
        "(loopback only, free ports; configuration, logs, data and savepoints under --dir)."},
        subcommands = {ClusterCommand.Up.class, ClusterCommand.Status.class, ClusterCommand.Down.class})
final class ClusterCommand extends LfrCommand.Group {
    /** The cluster's folder, shared by every cluster and job subcommand. */
    static class Dir {
        @Option(names = "--dir", paramLabel = "D", description = "the cluster's folder (default: .lfr/cluster in the checkout)")
        Path dir;

        Path path() {
            return dir != null ? dir : Builds.ofThisCheckout().root().resolve(".lfr/cluster");
        }

        LocalCluster cluster() {
            return LocalCluster.at(path(), Builds.ofThisCheckout());
        }
    }

    @Command(name = "up", description = "Start the broker (creating the topics), the JobManager and the TaskManagers; returns when all are ready.")
    static final class Up extends LfrCommand implements Callable<Integer> {
        @Mixin
        Dir dir;

        @Option(names = "--taskmanagers", paramLabel = "N", description = "TaskManager processes (default ${DEFAULT-VALUE})")
        int taskmanagers = 1;

        @Option(names = "--slots", paramLabel = "S", description = "slots a TaskManager (default ${DEFAULT-VALUE}: one a core here)")
        int slots = 2;

        @Option(names = "--taskmanager-memory", paramLabel = "SIZE", description = "each TaskManager's process size (default ${DEFAULT-VALUE})")
        String taskmanagerMemory = "2560m";

        @Option(names = "--frame-partitions", paramLabel = "P", description = "partitions of the frames topic: the most parallel a job reads it (default ${DEFAULT-VALUE})")
        int framePartitions = 6;

        @Option(names = "--flink-conf", paramLabel = "KEY=VALUE", description = "a Flink configuration entry to set or replace (repeatable)")
        Map<String, String> flinkConf = new LinkedHashMap<>();

        @Override
        public Integer call() throws Exception {
            LocalCluster c = LocalCluster.up(new LocalCluster.Settings(dir.path(), taskmanagers, slots, taskmanagerMemory, framePartitions, flinkConf),
                    Builds.ofThisCheckout());
            out().println("cluster up in " + c.dir());
            out().println("  Kafka bootstrap  " + c.state().bootstrap());
            out().println("  Flink web UI     " + c.state().rest());
            out().println("next: lfr job submit --cluster " + c.dir());
            return 0;
        }
    }

    @Command(name = "status", description = "The cluster's addresses and the processes still alive; with --json one JSON object.")
    static final class Status extends LfrCommand implements Callable<Integer> {
        @Mixin
        Dir dir;

        @Option(names = "--json", description = "print {\"bootstrap\": ..., \"rest\": ..., \"pids\": {...}}")
        boolean json;

        @Override
        public Integer call() throws Exception {
            LocalCluster c = dir.cluster();
            LocalCluster.Status s = c.status();
            if (json) {
                printJson(s);
                return 0;
            }
            out().println("bootstrap    " + s.bootstrap());
            out().println("rest         " + s.rest());
            out().println("broker       " + pid(s.pids().broker()));
            out().println("jobmanager   " + pid(s.pids().jobmanager()));
            out().println("taskmanagers " + s.pids().taskmanagers() + " alive of " + c.state().pids().taskmanagers().size() + " started");
            if (s.pids().jobmanager() != 0) {
                FlinkRest.Overview o = c.rest().overview();
                out().println("registered   " + o.taskmanagers() + " TaskManager(s), " + o.slotsAvailable() + " of " + o.slotsTotal()
                        + " slots free, " + o.jobsRunning() + " job(s) running");
            }
            return 0;
        }

        private static String pid(long pid) {
            return pid == 0 ? "not running" : "pid " + pid;
        }
    }

    @Command(name = "down", description = "Stop the processes this cluster started (nothing else); the folder stays.")
    static final class Down extends LfrCommand implements Callable<Integer> {
        @Mixin
        Dir dir;

        @Override
        public Integer call() throws Exception {
            LocalCluster c = dir.cluster();
            c.down();
            out().println("cluster down (" + c.dir() + " kept: logs, checkpoints, savepoints)");
            return 0;
        }
    }
}
