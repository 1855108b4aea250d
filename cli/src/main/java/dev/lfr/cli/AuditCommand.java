package dev.lfr.cli;

import dev.lfr.governance.audit.AuditChain;
import dev.lfr.governance.audit.AuditTrail;
import dev.lfr.schemas.AuditRecord;
import dev.lfr.topics.Topics;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "audit", description = "Check and read the append-only audit trail (" + Topics.AUDIT + ")",
        subcommands = {AuditCommand.Verify.class, AuditCommand.Show.class})
final class AuditCommand extends LfrCommand.Group {
    static AuditTrail trail(Governed g) {
        return new AuditTrail(g.bootstrap, Clock.systemUTC());
    }

    @Command(name = "verify", description = {"Check the hash chain: exit 0 and print the record count and head hash when intact,",
            "exit 1 naming the first broken record otherwise. Keep the head hash elsewhere to detect a removed tail."})
    static final class Verify extends LfrCommand implements Callable<Integer> {
        @Mixin
        Governed governed;

        @Option(names = "--expect-head", paramLabel = "HASH", description = "a head hash kept earlier: it must still be in the chain")
        String expectHead;

        @Override
        public Integer call() {
            AuditTrail trail = trail(governed);
            AuditChain.Verdict v = trail.verify();
            if (!v.intact()) {
                throw new UserError("audit trail broken after " + v.records() + " intact records: " + v.problem());
            }
            if (expectHead != null && !expectHead.equals(AuditChain.GENESIS)
                    && trail.read().stream().noneMatch(e -> e.record().getPreviousHash().equals(expectHead)) && !expectHead.equals(v.head())) {
                throw new UserError("audit trail does not contain the expected head " + expectHead + ": records were removed");
            }
            out().println("intact: " + v.records() + " records, head " + v.head());
            return 0;
        }
    }

    @Command(name = "show", description = "Audit records, oldest first: SEQUENCE TIME ACTOR ACTION DEPLOYMENT WATCHLIST SUBJECT WHAT -- WHY")
    static final class Show extends LfrCommand implements Callable<Integer> {
        @Mixin
        Governed governed;

        @Option(names = "--deployment", paramLabel = "ID", description = "only records of this deployment, or of its watchlist")
        String deployment;

        @Override
        public Integer call() {
            String watchlist = deployment == null ? null
                    : DeploymentCommand.registry(governed).find(deployment).map(d -> d.getWatchlist()).orElse(null);
            for (AuditTrail.Entry e : trail(governed).read()) {
                AuditRecord r = e.record();
                if (deployment == null || deployment.equals(r.getDeployment()) || watchlist != null && watchlist.equals(r.getWatchlist())) {
                    out().printf("%d %s %s %s %s %s %s %s -- %s%n", r.getSequence(), r.getTime(), r.getActor(), r.getAction(),
                            dash(r.getDeployment()), dash(r.getWatchlist()), dash(r.getSubject()), r.getWhat(), r.getWhy());
                }
            }
            return 0;
        }

        private static String dash(String s) {
            return s == null ? "-" : s;
        }
    }
}
