package dev.lfr.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lfr.testkit.LocalKafka;
import dev.lfr.topics.KafkaClients;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The deployment lifecycle as an operator runs it from the command line, against a real broker, with a real face. */
class GovernanceCommandsTest {
    static final String POLICY = Path.of("..", "config", "governance.yaml").toString();

    @Test
    void anOperatorPlansActivatesEndsAndReportsADeploymentAndBadValuesAreRefusedInOneLine(@TempDir Path dir) throws Exception {
        try (LocalKafka kafka = new LocalKafka()) {
            String bs = kafka.bootstrap();
            KafkaClients.createTopics(bs, 1);
            String[] common = {"--bootstrap", bs, "--policy", POLICY, "--images", dir.resolve("images").toString()};
            String[] create = {"deployment", "create", "--id", "oxford-st-1", "--purpose", "wanted-offender", "--authorised-by",
                "supt-jones", "--authorisation-ref", "AUTH/2026/117", "--authorised-at", "now-1h", "--location", "Oxford Circus",
                "--lat", "51.5152", "--lon", "-0.1418", "--cameras", "cam-1,cam-2", "--start", "now", "--end", "now+8h",
                "--watchlist", "wl-oxford", "--threshold", "0.6", "--reason", "knife crime hot spot, briefing 12"};
            List<String[]> bad = List.of(
                    replace(create, "--end", "now-1h"),
                    replace(create, "--cameras", "cam-1,cam-404"),
                    replace(create, "--threshold", "0.1"),
                    replace(create, "--threshold", "NaN"),
                    replace(create, "--purpose", "curiosity"),
                    replace(create, "--end", "now+13h"),
                    replace(create, "--lat", "91"),
                    replace(create, "--start", "tomorrow"),
                    java.util.Arrays.copyOf(create, create.length - 2)); // no --reason
            for (String[] b : bad) {
                LfrCommandLineTest.Run run = LfrCommandLineTest.lfr(KafkaCommandsTest.concat(b, common));
                assertThat(run.code()).as(String.join(" ", b)).isNotZero();
                assertThat(run.err()).as(String.join(" ", b)).startsWith("lfr: ").hasLineCount(1);
            }
            assertThat(lfr(common, "deployment", "list").lines()).isEmpty();
            assertThat(lfr(common, "audit", "verify").out()).startsWith("intact: 0 records");

            assertThat(lfr(common, create).code()).isZero();
            assertThat(lfr(common, "deployment", "list").lines()).singleElement()
                    .satisfies(l -> assertThat(l).startsWith("oxford-st-1 PLANNED ").endsWith(" wl-oxford cam-1,cam-2"));
            LfrCommandLineTest.Run early = lfr(common, "deployment", "activate", "--id", "oxford-st-1", "--officer", "insp-2",
                    "--reason", "signs up", "--signage-confirmed");
            assertThat(early.err()).isEqualTo("lfr: watchlist wl-oxford has no live subject; enrol before activating\n");

            Path subject = Files.createDirectories(dir.resolve("photos/zico"));
            Files.copy(dev.lfr.jobs.SharedLfw.dir().resolve("Zico/Zico_0001.jpg"), subject.resolve("1.jpg"));
            LfrCommandLineTest.Run enrol = lfr(common, "watchlist", "enrol", "--dir", dir.resolve("photos").toString(), "--watchlist",
                    "wl-oxford", "--officer", "sgt-1", "--reason", "wanted on warrant W/1", "--source", "custody C/9",
                    "--legal-basis", "PACE s.64A");
            assertThat(enrol.code()).as(enrol.err()).isZero();
            assertThat(enrol.lines().get(enrol.lines().size() - 1)).contains("\"expiry\":\"");

            LfrCommandLineTest.Run noSigns = lfr(common, "deployment", "activate", "--id", "oxford-st-1", "--officer", "insp-2",
                    "--reason", "go");
            assertThat(noSigns.err()).startsWith("lfr: confirm that the signs are up");
            LfrCommandLineTest.Run activate = lfr(common, "deployment", "activate", "--id", "oxford-st-1", "--officer", "insp-2",
                    "--reason", "signs checked 07:55", "--signage-confirmed");
            assertThat(activate.out()).matches("activated oxford-st-1: watchlist wl-oxford frozen at version \\d+ \\(1 subjects\\)\\n");
            assertThat(lfr(common, "deployment", "show", "--id", "oxford-st-1").out()).contains("\"status\": \"ACTIVE\"");
            assertThat(lfr(common, "deployment", "end", "--id", "oxford-st-1", "--officer", "insp-2", "--reason", "shift over").out())
                    .isEqualTo("ended oxford-st-1\n");

            assertThat(lfr(common, "audit", "show", "--deployment", "oxford-st-1").lines()).extracting(l -> l.split(" ")[3])
                    .containsExactly("DEPLOYMENT_CREATED", "SUBJECT_ENROLLED", "DEPLOYMENT_ACTIVATED", "DEPLOYMENT_ENDED");
            LfrCommandLineTest.Run report = lfr(common, "report", "deployment", "oxford-st-1", "--out", dir.resolve("report").toString());
            assertThat(report.code()).as(report.err()).isZero();
            assertThat(report.out()).startsWith("oxford-st-1: 0 faces searched, 0 alerts");
            assertThat(dir.resolve("report/report.md")).content().contains("| authorisation | AUTH/2026/117 by supt-jones");
            assertThat(dir.resolve("report/report.html")).exists();
            assertThat(dir.resolve("report/activity.png")).exists();

            // someone with write access to the topic re-writes an old record with another reason
            String head = lfr(common, "audit", "verify").out().replaceAll(".* head (\\w+)\\n", "$1");
            List<org.apache.kafka.clients.consumer.ConsumerRecord<byte[], byte[]>> audit = kafka.readAll(dev.lfr.topics.Topics.AUDIT);
            dev.lfr.schemas.AuditRecord forged = dev.lfr.schemas.AvroBytes.decode(audit.get(1).value(), dev.lfr.schemas.AuditRecord.class);
            forged.setWhy("never mind");
            forged.setSequence(audit.size());
            kafka.produce(dev.lfr.topics.Topics.AUDIT, List.of(dev.lfr.schemas.AvroBytes.encode(forged)));
            LfrCommandLineTest.Run verify = lfr(common, "audit", "verify", "--expect-head", head);
            assertThat(verify.code()).isEqualTo(1);
            assertThat(verify.err()).isEqualTo("lfr: audit trail broken after 4 intact records: record 4 (offset " + (audit.get(3).offset() + 2)
                    + ") does not follow record 3: one of them was changed\n");
            LfrCommandLineTest.Run refused = lfr(common, replace(replace(create, "--id", "oxford-st-2"), "--start", "now+1h"));
            assertThat(refused.err()).startsWith("lfr: the audit trail on lfr.audit is broken").endsWith("nothing was written\n");
        }
    }

    private static LfrCommandLineTest.Run lfr(String[] common, String... args) {
        return LfrCommandLineTest.lfr(KafkaCommandsTest.concat(args, common));
    }

    private static String[] replace(String[] args, String option, String value) {
        String[] copy = args.clone();
        for (int i = 0; i < copy.length - 1; i++) {
            if (copy[i].equals(option)) {
                copy[i + 1] = value;
            }
        }
        return copy;
    }
}
