package dev.lfr.cli;

import dev.lfr.governance.deployment.DeploymentRegistry;
import dev.lfr.governance.deployment.DeploymentRequest;
import dev.lfr.schemas.Deployment;
import dev.lfr.schemas.DeploymentLocation;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "deployment", description = "Create, activate, end, cancel, list and show deployments (each change audited)",
        subcommands = {DeploymentCommand.Create.class, DeploymentCommand.Activate.class, DeploymentCommand.End.class,
                DeploymentCommand.Cancel.class, DeploymentCommand.ListDeployments.class, DeploymentCommand.Show.class})
final class DeploymentCommand extends LfrCommand.Group {
    /** Which deployment changes, who changes it and why. */
    static final class Change {
        @Option(names = "--id", paramLabel = "ID", required = true, description = "deployment id")
        String id;

        @Mixin
        Governed.Accountable who;
    }

    static DeploymentRegistry registry(Governed g) {
        return new DeploymentRegistry(g.bootstrap, g.policy(), Clock.systemUTC());
    }

    @Command(name = "create", description = "Plan a deployment (status PLANNED); prints it as JSON")
    static final class Create extends LfrCommand implements Callable<Integer> {
        @Mixin
        Governed governed;

        @Option(names = "--id", paramLabel = "ID", required = true)
        String id;

        @Option(names = "--purpose", paramLabel = "P", required = true, description = "one of the policy's deployment.purposes")
        String purpose;

        @Option(names = "--authorised-by", paramLabel = "ID", required = true, description = "the authorising officer")
        String authorisedBy;

        @Option(names = "--authorisation-ref", paramLabel = "REF", required = true, description = "the written authorisation's reference")
        String authorisationRef;

        @Option(names = "--authorised-at", paramLabel = "TIME", required = true, converter = Governed.InstantArg.class)
        Instant authorisedAt;

        @Option(names = "--location", paramLabel = "NAME", required = true, description = "where the signs and cameras are")
        String location;

        @Option(names = "--lat", paramLabel = "DEG", required = true)
        double latitude;

        @Option(names = "--lon", paramLabel = "DEG", required = true)
        double longitude;

        @Option(names = "--cameras", paramLabel = "ID", required = true, split = ",", description = "comma-separated camera ids")
        List<String> cameras;

        @Option(names = "--start", paramLabel = "TIME", required = true, converter = Governed.InstantArg.class,
                description = "ISO-8601, now, or now+30m")
        Instant start;

        @Option(names = "--end", paramLabel = "TIME", required = true, converter = Governed.InstantArg.class)
        Instant end;

        @Option(names = "--watchlist", paramLabel = "ID", required = true)
        String watchlist;

        @Option(names = "--threshold", paramLabel = "T", required = true, description = "cosine similarity for an alert")
        float threshold;

        @Option(names = "--signage-confirmed", description = "the signs are up already (else confirm at activation)")
        boolean signage;

        @Option(names = "--two-person-verification", description = "an alert is confirmed only when two officers agree")
        boolean twoPerson;

        @Option(names = "--reason", paramLabel = "TEXT", required = true, description = "why this deployment (the audit trail)")
        String reason;

        @Override
        public Integer call() throws Exception {
            Deployment d = registry(governed).create(new DeploymentRequest(id, purpose, authorisedBy, authorisationRef, authorisedAt,
                    new DeploymentLocation(location, latitude, longitude), cameras, start, end, watchlist, threshold, signage,
                    twoPerson), reason);
            out().println(d);
            return 0;
        }
    }

    /** A change of status by an officer, for a reason. */
    abstract static class Transition extends LfrCommand implements Callable<Integer> {
        @Mixin
        Governed governed;

        @Mixin
        Change change;

        /** Makes the change; returns what to print. */
        abstract String apply(DeploymentRegistry registry);

        @Override
        public Integer call() {
            out().println(apply(registry(governed)));
            return 0;
        }
    }

    @Command(name = "activate", description = "Start admitting frames: freezes the watchlist's version; needs the signs up")
    static final class Activate extends Transition {
        @Option(names = "--signage-confirmed", description = "the officer activating it confirms the signs are up")
        boolean signage;

        @Override
        String apply(DeploymentRegistry registry) {
            Deployment d = registry.activate(change.id, signage, change.who.officer, change.who.reason);
            return "activated " + d.getId() + ": watchlist " + d.getWatchlist() + " frozen at version " + d.getWatchlistVersion()
                    + " (" + d.getWatchlistSize() + " subjects)";
        }
    }

    @Command(name = "end", description = "Stop admitting frames (status ENDED)")
    static final class End extends Transition {
        @Override
        String apply(DeploymentRegistry registry) {
            return "ended " + registry.end(change.id, change.who.officer, change.who.reason).getId();
        }
    }

    @Command(name = "cancel", description = "Cancel a planned or active deployment (status CANCELLED)")
    static final class Cancel extends Transition {
        @Override
        String apply(DeploymentRegistry registry) {
            return "cancelled " + registry.cancel(change.id, change.who.officer, change.who.reason).getId();
        }
    }

    @Command(name = "list", description = "One line per deployment: ID STATUS START END WATCHLIST CAMERAS")
    static final class ListDeployments extends LfrCommand implements Callable<Integer> {
        @Mixin
        Governed governed;

        @Override
        public Integer call() {
            registry(governed).all().values().stream().sorted(java.util.Comparator.comparing(Deployment::getStart))
                    .forEach(d -> out().printf("%s %s %s %s %s %s%n", d.getId(), d.getStatus(), d.getStart(), d.getEnd(),
                            d.getWatchlist(), String.join(",", d.getCameras())));
            return 0;
        }
    }

    @Command(name = "show", description = "One deployment, as JSON")
    static final class Show extends LfrCommand implements Callable<Integer> {
        @Mixin
        Governed governed;

        @Option(names = "--id", paramLabel = "ID", required = true)
        String id;

        @Override
        public Integer call() {
            out().println(registry(governed).get(id));
            return 0;
        }
    }
}
