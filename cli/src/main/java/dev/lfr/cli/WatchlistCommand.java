package dev.lfr.cli;

import dev.lfr.jobs.kafka.WatchlistTopic;
import dev.lfr.schemas.WatchlistOp;
import dev.lfr.schemas.WatchlistUpdate;
import dev.lfr.topics.Topics;
import dev.lfr.udfs.engine.FaceEngine;
import dev.lfr.udfs.enrol.Enrolment;
import dev.lfr.udfs.quality.QualityGate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "watchlist", description = "Enrol, remove and list watchlist subjects on the compacted watchlist topic",
        subcommands = {WatchlistCommand.Enrol.class, WatchlistCommand.Remove.class, WatchlistCommand.ListSubjects.class})
final class WatchlistCommand extends LfrCommand.Group {
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
            "a subject's template is the mean of its photos' descriptors. Prints each enrolment and each rejected",
            "photo, then a JSON summary."})
    static final class Enrol extends LfrCommand implements Callable<Integer> {
        /** What enrol prints. */
        record EnrolSummary(String watchlist, int enrolled, int notEnrolled, int rejectedPhotos, long version) {}

        @Option(names = "--dir", paramLabel = "DIR", required = true, description = "DIR/<subject>/<images>")
        Path dir;

        @Mixin
        Target target;

        @Mixin
        EngineOptions engine;

        @Override
        public Integer call() throws Exception {
            if (!Files.isDirectory(dir)) {
                throw new UserError("no such folder: " + dir);
            }
            List<Enrolment.Subject> subjects;
            try (FaceEngine e = engine.engine(QualityGate.defaults())) {
                subjects = new Enrolment(e).enrolAll(dir);
            }
            long version = System.currentTimeMillis();
            List<WatchlistUpdate> updates = new ArrayList<>();
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
                List<Float> v = new ArrayList<>();
                for (float x : s.template()) {
                    v.add(x);
                }
                updates.add(WatchlistUpdate.newBuilder().setWatchlist(target.watchlist).setSubject(s.id())
                        .setVersion(version).setOp(WatchlistOp.UPSERT).setEmbeddingModel(s.embeddingModel()).setVector(v)
                        .setDisplayName(s.id()).setReferenceImageUri(s.accepted().get(0).toUri().toString()).build());
                out().println("enrolled " + s.id() + " from " + s.accepted().size() + " photo(s)");
            }
            try {
                target.open().publish(updates);
            } catch (Exception e) {
                throw new UserError("cannot publish to " + target.topic + " at " + target.bootstrap + ": " + Lfr.oneLine(e));
            }
            printJson(new EnrolSummary(target.watchlist, updates.size(), subjects.size() - updates.size(), rejectedPhotos,
                    version));
            return 0;
        }
    }

    @Command(name = "remove", description = "Remove a subject (an explicit deletion record; the job applies it at once)")
    static final class Remove extends LfrCommand implements Callable<Integer> {
        @Option(names = "--subject", paramLabel = "ID", required = true)
        String subject;

        @Mixin
        Target target;

        @Override
        public Integer call() {
            WatchlistUpdate delete = WatchlistUpdate.newBuilder().setWatchlist(target.watchlist).setSubject(subject)
                    .setVersion(System.currentTimeMillis()).setOp(WatchlistOp.DELETE).setEmbeddingModel("")
                    .build();
            try {
                target.open().publish(List.of(delete));
            } catch (Exception e) {
                throw new UserError("cannot publish to " + target.topic + " at " + target.bootstrap + ": " + Lfr.oneLine(e));
            }
            out().println("removed " + subject + " from " + target.watchlist);
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
            Map<String, WatchlistUpdate> current;
            dev.lfr.jobs.ingest.InputRules rules;
            try {
                rules = dev.lfr.jobs.LiveMatchJob.Config.defaults().withEmbeddingModel(embedder).input();
            } catch (RuntimeException e) {
                throw new UserError(Lfr.oneLine(e));
            }
            try {
                current = target.open().current(target.watchlist, rules);
            } catch (Exception e) {
                throw new UserError("cannot read " + target.topic + " at " + target.bootstrap + ": " + Lfr.oneLine(e));
            }
            current.forEach((subject, u) -> out().printf("%s %d %s %d%n", subject, u.getVersion(),
                    u.getEmbeddingModel(), u.getVector() == null ? 0 : u.getVector().size()));
            return 0;
        }
    }
}
