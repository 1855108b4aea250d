package dev.lfr.cli;

import dev.lfr.governance.policy.GovernancePolicy;
import dev.lfr.governance.watchlist.EnrolmentRules;
import dev.lfr.governance.watchlist.Watchlists;
import dev.lfr.jobs.kafka.WatchlistTopic;
import dev.lfr.topics.Topics;
import dev.lfr.udfs.engine.FaceEngine;
import dev.lfr.udfs.enrol.Enrolment;
import dev.lfr.udfs.quality.QualityGate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "watchlist", description = "Enrol, remove, purge and list watchlist subjects (each change audited)",
        subcommands = {WatchlistCommand.Enrol.class, WatchlistCommand.Remove.class, WatchlistCommand.Purge.class,
                WatchlistCommand.ListSubjects.class})
final class WatchlistCommand extends LfrCommand.Group {
    /** Says so where records of the watchlist were left out as timed ahead of this machine's clock. */
    static void warnIfBehind(LfrCommand command, int aheadOfClock, String watchlist) {
        if (aheadOfClock > 0) {
            command.warn(aheadOfClock + " record(s) of watchlist " + watchlist + " are timed more than input.max-clock-ahead"
                    + " ahead of this machine's clock and were left out: if its clock is behind (check NTP), the job may"
                    + " ignore an enrolment from here as older");
        }
    }

    /** Where the watchlist lives. */
    static class Target {
        @Option(names = "--bootstrap", paramLabel = "HOST:PORT", required = true, description = "Kafka bootstrap servers")
        String bootstrap;

        @Option(names = "--topic", paramLabel = "T", description = "watchlist topic (default " + Topics.WATCHLIST + ")")
        String topic = Topics.WATCHLIST;

        @Option(names = "--watchlist", paramLabel = "ID", required = true, description = "watchlist id")
        String watchlist;

        WatchlistTopic open() {
            return new WatchlistTopic(bootstrap, topic);
        }
    }

    @Command(name = "enrol", description = {
            "Enrol every DIR/<subject>/ folder of photos. A photo is used only if it shows exactly one usable face;",
            "a subject's template is the mean of its photos' descriptors. Each subject needs a reason, the image's",
            "source and the legal basis: from DIR/<subject>/provenance.properties (reason=, source=, legal_basis=) or",
            "the options. A subject as close as the search threshold to another is refused unless --allow-duplicate.",
            "Every subject is enrolled, or none. Prints each enrolment and each rejected photo, then a JSON summary."})
    static final class Enrol extends LfrCommand implements Callable<Integer> {
        /** What enrol prints. */
        record EnrolSummary(String watchlist, int enrolled, int notEnrolled, int rejectedPhotos, long version, String expiry) {}

        @Option(names = "--dir", paramLabel = "DIR", required = true, description = "DIR/<subject>/<images>")
        Path dir;

        @Option(names = "--watchlist", paramLabel = "ID", required = true, description = "watchlist id")
        String watchlist;

        @Option(names = "--officer", paramLabel = "ID", required = true, description = "who enrols (the audit trail)")
        String officer;

        @Option(names = "--reason", paramLabel = "TEXT", description = "why the subjects are listed, where no provenance file says")
        String reason;

        @Option(names = "--source", paramLabel = "TEXT", description = "where the photos came from, where no provenance file says")
        String source;

        @Option(names = "--legal-basis", paramLabel = "TEXT", description = "the power the photos are held under, where no provenance file says")
        String legalBasis;

        @Option(names = "--expiry", paramLabel = "TIME", converter = Governed.InstantArg.class,
                description = "default: the end of the planned deployment that uses the watchlist, plus watchlist.expiry-after-end")
        java.time.Instant expiry;

        @Option(names = "--allow-duplicate", description = "enrol subjects that resemble another subject (the audit records it)")
        boolean allowDuplicate;

        @Mixin
        Governed governed;

        @Mixin
        EngineOptions engine;

        @Override
        public Integer call() throws Exception {
            if (!Files.isDirectory(dir)) {
                throw new UserError("no such folder: " + dir);
            }
            GovernancePolicy policy = governed.policy();
            Watchlists watchlists = new Watchlists(governed.bootstrap, policy, governed.images(), Clock.systemUTC());
            java.util.Collection<dev.lfr.schemas.Deployment> deployments = watchlists.deployments();
            EnrolmentRules rules = new EnrolmentRules(policy);
            rules.checkNotFrozen(watchlist, deployments); // before minutes of embedding, not after
            rules.expiry(watchlist, expiry, deployments, java.time.Instant.now());
            List<Enrolment.Subject> subjects;
            try (FaceEngine e = engine.engine(QualityGate.defaults())) {
                subjects = new Enrolment(e).enrolAll(dir);
            }
            List<EnrolmentRules.Candidate> candidates = new ArrayList<>();
            int rejectedPhotos = 0;
            for (Enrolment.Subject s : subjects) {
                for (String r : s.rejections()) {
                    out().println("rejected " + r);
                    rejectedPhotos++;
                }
                if (!s.enrolled()) {
                    out().println("not enrolled " + s.id() + ": no usable photo");
                    continue;
                }
                candidates.add(new EnrolmentRules.Candidate(s.id(), s.template(), s.embeddingModel(), s.accepted().get(0),
                        provenance(dir.resolve(s.id()))));
            }
            Watchlists.Enrolled done = watchlists.enrol(watchlist, candidates, expiry, officer, allowDuplicate, deployments);
            warnIfBehind(this, done.aheadOfClock(), watchlist);
            for (EnrolmentRules.Duplicate d : done.duplicatesAllowed()) {
                out().printf(java.util.Locale.ROOT, "allowed duplicate %s resembles %s (score %.3f)%n", d.subject(), d.resembles(), d.score());
            }
            for (EnrolmentRules.Candidate c : candidates) {
                out().println("enrolled " + c.subject() + " from " + subjects.stream().filter(s -> s.id().equals(c.subject()))
                        .findFirst().orElseThrow().accepted().size() + " photo(s)");
            }
            printJson(new EnrolSummary(watchlist, candidates.size(), subjects.size() - candidates.size(), rejectedPhotos,
                    done.version(), done.expiry().toString()));
            return 0;
        }

        private EnrolmentRules.Provenance provenance(Path subjectDir) throws java.io.IOException {
            java.util.Properties p = new java.util.Properties();
            Path file = subjectDir.resolve("provenance.properties");
            if (Files.isRegularFile(file)) {
                try (java.io.Reader r = Files.newBufferedReader(file)) {
                    p.load(r);
                }
            }
            return new EnrolmentRules.Provenance(p.getProperty("reason", reason), p.getProperty("source", source),
                    p.getProperty("legal_basis", legalBasis));
        }
    }

    /** Who deletes from which watchlist, why, and where the watchlist lives. */
    static final class Deletion {
        @Option(names = "--watchlist", paramLabel = "ID", required = true, description = "watchlist id")
        String watchlist;

        @Mixin
        Governed.Accountable who;

        @Mixin
        Governed governed;

        Watchlists watchlists() {
            return new Watchlists(governed.bootstrap, governed.policy(), governed.images(), Clock.systemUTC());
        }
    }

    @Command(name = "remove", description = "Remove a subject: a tombstone on the topic (the job applies it at once) and its photo deleted")
    static final class Remove extends LfrCommand implements Callable<Integer> {
        @Option(names = "--subject", paramLabel = "ID", required = true)
        String subject;

        @Mixin
        Deletion deletion;

        @Override
        public Integer call() {
            deletion.watchlists().remove(deletion.watchlist, subject, deletion.who.officer, deletion.who.reason);
            out().println("removed " + subject + " from " + deletion.watchlist);
            return 0;
        }
    }

    @Command(name = "purge", description = {"Delete a whole watchlist: a tombstone for each of its keys (compaction then drops",
            "every vector) and every stored photo"})
    static final class Purge extends LfrCommand implements Callable<Integer> {
        @Mixin
        Deletion deletion;

        @Override
        public Integer call() {
            Watchlists.Purged p = deletion.watchlists().purge(deletion.watchlist, deletion.who.officer, deletion.who.reason);
            out().println("purged " + p.watchlist() + ": " + p.entries() + " entries, " + p.photos() + " photos");
            return 0;
        }
    }

    @Command(name = "list", description = "List the current subjects of a watchlist: SUBJECT VERSION MODEL DIMENSION")
    static final class ListSubjects extends LfrCommand implements Callable<Integer> {
        @Mixin
        Target target;

        @picocli.CommandLine.Option(names = "--embedder", paramLabel = "ID", defaultValue = "fr-feature-512",
                description = "list entries as a job matching with this embedder reads them (default ${DEFAULT-VALUE})")
        String embedder;

        @Override
        public Integer call() {
            WatchlistTopic.Listing current;
            dev.lfr.jobs.ingest.InputRules rules;
            try {
                rules = dev.lfr.jobs.LiveMatchJob.Config.defaults().withEmbeddingModel(embedder).input();
            } catch (RuntimeException e) {
                throw new UserError(Lfr.oneLine(e));
            }
            try {
                current = target.open().list(target.watchlist, rules, System.currentTimeMillis());
            } catch (Exception e) {
                throw new UserError("cannot read " + target.topic + " at " + target.bootstrap + ": " + Lfr.oneLine(e));
            }
            current.entries().forEach((subject, u) -> out().printf("%s %d %s %d%n", subject, u.getVersion(),
                    u.getEmbeddingModel(), u.getVector() == null ? 0 : u.getVector().size()));
            warnIfBehind(this, current.aheadOfClock(), target.watchlist);
            return 0;
        }
    }
}
