package dev.lfr.cli;

import dev.lfr.governance.policy.GovernancePolicy;
import dev.lfr.governance.retention.RetentionSweep;
import dev.lfr.governance.watchlist.Watchlists;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "retention", description = "Deletions that time makes due", subcommands = {RetentionCommand.Sweep.class})
final class RetentionCommand extends LfrCommand.Group {
    @Command(name = "sweep", description = {"Delete watchlist entries past their expiry (and their photos), photos whose entry",
            "is gone, and alert crops of deployments ended longer ago than alerts.crop-retention. Run it on a schedule",
            "(--every, or cron); every deletion is audited. Prints a JSON summary per run."})
    static final class Sweep extends LfrCommand implements Callable<Integer> {
        @Mixin
        Governed governed;

        @Option(names = "--every", paramLabel = "DURATION", converter = Governed.DurationArg.class, description = {"sweep again at this interval until stopped (e.g. 15m);",
                "a sweep that fails is reported on stderr and tried again at the next one"})
        java.time.Duration every;

        @Override
        public Integer call() throws Exception {
            GovernancePolicy policy = governed.policy();
            Clock clock = Clock.systemUTC();
            RetentionSweep sweep = new RetentionSweep(governed.bootstrap, policy,
                    new Watchlists(governed.bootstrap, policy, governed.images(), clock), clock);
            if (every == null) {
                printJson(sweep.run());
                return 0;
            }
            if (every.isNegative() || every.isZero()) {
                throw new UserError("--every must be positive");
            }
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    printJson(sweep.run());
                } catch (dev.lfr.governance.GovernanceException e) {
                    spec.commandLine().getErr().println("lfr: sweep failed, next in " + every + ": " + e.getMessage());
                }
                out().flush();
                Thread.sleep(every.toMillis());
            }
            return 0;
        }
    }
}
