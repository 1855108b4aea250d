package dev.lfr.cli;

import dev.lfr.governance.policy.GovernancePolicy;
import dev.lfr.governance.retention.RetentionSweep;
import dev.lfr.governance.watchlist.Watchlists;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "retention", description = "Deletions that time makes due", subcommands = {RetentionCommand.Sweep.class})
final class RetentionCommand extends LfrCommand.Group {
    @Command(name = "sweep", description = {"Delete watchlist entries past their expiry (and their photos), photos whose entry",
            "is gone, and alert crops of deployments ended longer ago than alerts.crop-retention. Run it on a schedule",
            "(k8s/retention-cronjob.yaml); every deletion is audited. Prints a JSON summary."})
    static final class Sweep extends LfrCommand implements Callable<Integer> {
        @Mixin
        Governed governed;

        @Override
        public Integer call() throws Exception {
            GovernancePolicy policy = governed.policy();
            Clock clock = Clock.systemUTC();
            printJson(new RetentionSweep(governed.bootstrap, policy, new Watchlists(governed.bootstrap, policy, governed.images(), clock),
                    clock).run());
            return 0;
        }
    }
}
