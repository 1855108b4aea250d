package dev.lfr.cli;

import dev.lfr.schemas.AvroBytes;
import dev.lfr.schemas.MatchAlert;
import dev.lfr.topics.KafkaClients;
import dev.lfr.topics.Topics;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "alerts", description = "Read the alerts topic and adjudicate alerts",
        subcommands = {AlertsCommand.Tail.class, AlertsCommand.Adjudicate.class})
final class AlertsCommand extends LfrCommand.Group {
    @Command(name = "tail", description = {
            "Print alerts as they arrive: ALERT_ID DEPLOYMENT SUBJECT SCORE SIGHTINGS CAMERAS FIRST_SEEN LAST_SEEN.",
            "An alert is printed again when its walk-past completes (same id, more sightings)."})
    static final class Tail extends LfrCommand implements Callable<Integer> {
        @Option(names = "--bootstrap", paramLabel = "HOST:PORT", required = true, description = "Kafka bootstrap servers")
        String bootstrap;

        @Option(names = "--topic", paramLabel = "T", description = "alerts topic (default " + Topics.ALERTS + ")")
        String topic = Topics.ALERTS;

        @Option(names = "--from-beginning", description = "start with the oldest alert instead of new ones")
        boolean fromBeginning;

        @Option(names = "--idle-exit", paramLabel = "S", description = "stop after S seconds without a new alert (default: never)")
        Integer idleExitSeconds;

        @Option(names = "--json", description = {"one JSON object an alert (for jq): every field but the crop, which is",
                "given as its size; a record that is not an alert is said on stderr"})
        boolean json;

        /** An alert as {@code --json} prints it: the crop's bytes stay on the topic. */
        record AlertLine(String alertId, String deployment, String subject, float bestScore, int sightings,
                         List<String> cameras, String firstSeen, String lastSeen, long watchlistVersion,
                         String embeddingModel, int cropBytes) {
            static AlertLine of(MatchAlert a) {
                return new AlertLine(a.getAlertId(), a.getDeployment(), a.getSubject(), a.getBestScore(), a.getSightings(),
                        a.getCameras(), a.getFirstSeen().toString(), a.getLastSeen().toString(), a.getWatchlistVersion(),
                        a.getEmbeddingModel(), a.getBestCropJpeg().remaining());
            }
        }

        @Override
        public Integer call() throws Exception {
            try (KafkaConsumer<byte[], byte[]> consumer = KafkaClients.consumer(bootstrap,
                    "lfr-alerts-tail-" + System.nanoTime(), fromBeginning)) {
                consumer.subscribe(List.of(topic));
                long lastNews = System.currentTimeMillis();
                while (idleExitSeconds == null || System.currentTimeMillis() - lastNews < idleExitSeconds * 1000L) {
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                        lastNews = System.currentTimeMillis();
                        MatchAlert a;
                        try {
                            a = AvroBytes.decode(r.value(), MatchAlert.class);
                        } catch (RuntimeException e) {
                            String unreadable = "unreadable record at offset " + r.offset() + " (not a MatchAlert)";
                            if (json) {
                                warn(unreadable); // stdout stays JSON
                            } else {
                                out().println(unreadable);
                                out().flush();
                            }
                            continue;
                        }
                        if (json) {
                            printJson(AlertLine.of(a));
                        } else {
                            out().printf(Locale.ROOT, "%s %s %s %.3f %d %s %s %s%n", a.getAlertId(), a.getDeployment(),
                                    a.getSubject(), a.getBestScore(), a.getSightings(), String.join(",", a.getCameras()),
                                    a.getFirstSeen(), a.getLastSeen());
                        }
                        out().flush();
                    }
                }
            } catch (org.apache.kafka.common.KafkaException e) {
                throw new UserError("cannot read " + topic + " at " + bootstrap + ": " + Lfr.oneLine(e));
            }
            return 0;
        }
    }

    @Command(name = "adjudicate", description = {"Record an officer's verdict on an alert (audited). Where the deployment asks",
            "for two-person verification, a confirmation is written only once a second officer confirms."})
    static final class Adjudicate extends LfrCommand implements Callable<Integer> {
        @Option(names = "--alert", paramLabel = "ID", required = true)
        String alert;

        @Option(names = "--verdict", paramLabel = "V", required = true, description = "CONFIRMED, FALSE_ALERT or NO_ACTION")
        dev.lfr.schemas.Verdict verdict;

        @Option(names = "--officer", paramLabel = "ID", required = true)
        String officer;

        @Option(names = "--reason", paramLabel = "TEXT", required = true, description = "what the officer saw (the audit trail)")
        String reason;

        @picocli.CommandLine.Mixin
        Governed governed;

        @Override
        public Integer call() {
            dev.lfr.governance.adjudication.Adjudications.Decided d = new dev.lfr.governance.adjudication.Adjudications(
                    governed.bootstrap, governed.policy(), java.time.Clock.systemUTC()).decide(alert, verdict, officer, reason);
            out().println(d.written() ? alert + " " + verdict : alert + ": first confirmation recorded; waiting for " + d.waitingFor());
            return 0;
        }
    }
}
