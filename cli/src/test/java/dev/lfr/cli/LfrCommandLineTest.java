package dev.lfr.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lfr.udfs.model.ModelStore;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The commands as a user runs them: output formats, exit codes, and one-line errors. */
class LfrCommandLineTest {
    private static List<Path> samples;

    record Run(int code, String out, String err) {
        List<String> lines() {
            return out.lines().toList();
        }
    }

    @BeforeAll
    static void models() {
        samples = ModelStore.ensureDefault().samples();
    }

    static Run lfr(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Lfr.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void aMistypedOptionPointsToAHelpThatEverySubcommandHas() {
        Run wrong = lfr("bench", "startup", "--entires=5");
        assertThat(wrong.code()).isEqualTo(2);
        assertThat(wrong.err()).startsWith("lfr: Unknown option: '--entires=5'").contains("(see: lfr bench startup --help)");
        Run help = lfr("bench", "startup", "--help");
        assertThat(help.code()).isZero();
        assertThat(help.out()).contains("--entries=N", "--index=I", "time from submitting the job to its first alert");
        assertThat(lfr("bench", "watchlist", "--index", "ivf").err().strip())
                .isEqualTo("lfr: unknown watchlist index 'ivf': use auto, flat, sq8, hnsw or hnsw-sq8");
    }

    @Test
    void detectPrintsOneLinePerFace() {
        Run r = lfr("detect", samples.get(0).toString(), samples.get(1).toString());
        assertThat(r.code()).isZero();
        assertThat(r.lines()).hasSize(6).allSatisfy(l ->
                assertThat(l).matches(".*sample[12]\\.jpg \\d+ \\d+ \\d+ \\d+ (0|1)\\.\\d{3}"));
    }

    @Test
    void detectWritesAnAnnotatedPng(@TempDir Path dir) throws Exception {
        Path png = dir.resolve("out.png");
        Run r = lfr("detect", samples.get(0).toString(), "--annotate", png.toString());
        assertThat(r.code()).isZero();
        byte[] head = Arrays.copyOf(Files.readAllBytes(png), 4);
        assertThat(head).containsExactly(0x89, 'P', 'N', 'G');
    }

    @Test
    void compareSamePhotoIsTheSamePersonAtDistanceZero() {
        Run r = lfr("compare", samples.get(0).toString(), samples.get(0).toString());
        assertThat(r.code()).isZero();
        assertThat(r.out().trim()).matches("distance=0\\.000\\d same=true threshold=0\\.7380");
    }

    @Test
    void compareDifferentPeople() {
        // the main faces of sample1 and sample4 are different women (the demo photos show different groups); the
        // dlib embedder wrongly accepts this pair at its LFW threshold, see docs/benchmarks.md
        Run r = lfr("compare", samples.get(0).toString(), samples.get(3).toString());
        assertThat(r.code()).isZero();
        assertThat(r.out().trim()).matches("distance=0\\.[6-9]\\d{3} same=false threshold=0\\.7380");
    }

    @Test
    void compareWithTheDlibEmbedderUsesItsOwnThreshold() {
        Run r = lfr("compare", samples.get(2).toString(), samples.get(2).toString(), "--embedder", "dlib-resnet-128");
        assertThat(r.code()).isZero();
        assertThat(r.out().trim()).matches("distance=0\\.000\\d same=true threshold=0\\.0950");
    }

    @Test
    void embedPrintsJson() throws Exception {
        Run r = lfr("embed", samples.get(0).toString());
        assertThat(r.code()).isZero();
        JsonNode json = new ObjectMapper().readTree(r.out());
        assertThat(json.get("embedding_model").asText()).isEqualTo("fr-feature-512");
        assertThat(json.get("vector").size()).isEqualTo(512).isEqualTo(json.get("dimension").asInt());
    }

    @Test
    void errorsAreOneLineWithANonZeroExit(@TempDir Path dir) throws Exception {
        Path junk = Files.write(dir.resolve("junk.jpg"), new byte[] {1, 2, 3, 4, 5});
        Path empty = Files.write(dir.resolve("empty.jpg"), new byte[0]);
        Path noFace = dir.resolve("grey.png");
        Files.write(noFace, java.util.Base64.getDecoder().decode(
                "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGNoAAAAggCBd81ytgAAAABJRU5ErkJggg=="));
        List<Run> failures = List.of(
                lfr("detect", dir.resolve("missing.jpg").toString()),
                lfr("detect", junk.toString()),
                lfr("detect", empty.toString()),
                lfr("compare", samples.get(0).toString()),
                lfr("compare", noFace.toString(), samples.get(0).toString()),
                lfr("embed", samples.get(0).toString(), "--embedder", "nope"),
                lfr("detect", samples.get(0).toString(), "--min-score", "7"),
                lfr("nonsense"),
                lfr("cluster", "status", "--dir", dir.resolve("no-cluster").toString()),
                lfr("job", "list", "--rest", "http://127.0.0.1:9"),
                lfr("job", "submit", "--rest", "http://127.0.0.1:9"),
                lfr("job", "list", "--rest", "not a url"),
                lfr("cluster", "up", "--dir", dir.resolve("c").toString(), "--slots", "0"),
                lfr("cluster", "up", "--dir", dir.resolve("c").toString(), "--flink-conf", "rest.bind-address=0.0.0.0"),
                lfr("replay", "--records-delivery", "none"),
                lfr("replay", "--bootstrap", "127.0.0.1:9", "--no-job", "--group", "g", "--records-delivery", "at-least-once"),
                lfr("replay", "--job-option", "detection.evry=3"),
                lfr("replay", "--job-option", "detection.every=0"),
                lfr("replay", "--job-option", "track.reembed-gain=NaN"),
                lfr("models", "int8-ranges", "--out", dir.resolve("r.json").toString(), "--photos", dir.resolve("none").toString()),
                lfr("models", "int8-ranges", "--out", dir.resolve("r.json").toString(), "--from", "nope"),
                lfr("models", "int8-ranges", "--out", dir.resolve("r.json").toString(), "--photos", noFace.toString()),
                lfr("models", "int8-ranges", "--out", dir.resolve("r.json").toString(), "--photos", junk.toString()),
                lfr("eval", "pairs", "--embedder", "fr-feature-512", "--screening", "dlib-resnet-128"),
                lfr("eval", "pairs", "--embedder", "fr-feature-512", "--screening", "fr-feature-512-int8",
                        "--screening-margin", "NaN"),
                lfr("replay", "--job-option", "embedding.screening-model=dlib-resnet-128"));
        for (Run r : failures) {
            assertThat(r.code()).isNotZero();
            assertThat(r.err().lines().count()).as(r.err()).isEqualTo(1);
            assertThat(r.err()).startsWith("lfr: ").doesNotContain("Exception").doesNotContain("\tat ");
        }
        int screening = failures.size() - 3;
        if (java.nio.file.Files.isDirectory(SharedData.dir("lfw"))) { // else the first line says the data is missing
            assertThat(failures.get(screening).err()).contains("reduced form of the embedder fr-feature-512");
            assertThat(failures.get(screening + 1).err()).contains("screening margin");
        }
        assertThat(failures.get(screening + 2).err()).contains("embedding.screening-model");
        assertThat(failures.get(1).err()).contains("UNSUPPORTED_FORMAT");
        assertThat(failures.get(2).err()).contains("EMPTY");
        assertThat(failures.get(4).err()).contains("no usable face");
        assertThat(failures.get(8).err()).contains("no cluster in");
        assertThat(failures.get(9).err()).contains("no JobManager answers at http://127.0.0.1:9");
        assertThat(failures.get(10).err()).contains("--bootstrap is needed with --rest");
        assertThat(failures.get(11).err()).contains("not a REST address");
        assertThat(failures.get(12).err()).contains("at least one slot");
        assertThat(failures.get(13).err()).contains("rest.bind-address is the cluster's own setting (loopback only)");
        assertThat(failures.get(14).err()).contains("must not drop");
        assertThat(failures.get(15).err()).contains("shape the local job");
        assertThat(failures.get(16).err()).contains("no such setting detection.evry");
        assertThat(failures.get(17).err()).contains("--job-option: detection must run every 1 to 30 frames, not 0");
        assertThat(failures.get(18).err()).contains("the re-embed gain must be a finite number of at least 1, not NaN");
        assertThat(failures.get(19).err()).contains("no such photo or folder");
        assertThat(failures.get(20).err()).contains("unknown embedder 'nope'");
        assertThat(failures.get(21).err()).contains("no usable face in the calibration photos");
        assertThat(failures.get(22).err()).contains("junk.jpg: cannot decode");
        assertThat(dir.resolve("r.json")).doesNotExist();
    }

    /** A careless number (NaN, infinity, out of range) is refused in one line before any broker, job or model runs. */
    @Test
    void carelessNumbersAreRefusedBeforeAnythingStarts(@TempDir Path dir) {
        Map<List<String>, String> refusals = new java.util.LinkedHashMap<>();
        refusals.put(List.of("replay", "--fps", "NaN"), "--fps is above 0 and at most 60, not NaN");
        refusals.put(List.of("replay", "--fps", "Infinity"), "--fps is above 0 and at most 60, not Infinity");
        refusals.put(List.of("replay", "--min-score", "NaN"), "--min-score must be in 0..1");
        refusals.put(List.of("demo", "--fps", "0"), "--fps is above 0 and at most 60, not 0.0");
        refusals.put(List.of("compare", "a.jpg", "b.jpg", "--threshold", "NaN"), "--threshold is a cosine distance, 0 to 2, not NaN");
        refusals.put(List.of("eval", "--data", dir.toString(), "--out", dir.toString(), "--threshold", "NaN"),
                "--threshold is a cosine similarity, -1 to 1, not NaN");
        refusals.put(List.of("bench", "state", "--fps", "NaN"), "--fps above 0 and at most 60");
        refusals.put(List.of("bench", "gateway", "--fps", "NaN"), "--fps above 0 to 60");
        refusals.put(List.of("bench", "index", "--max-seconds", "NaN"), "--max-seconds must be positive");
        refusals.put(List.of("demo", "--console-for", "forever"), "Invalid value for option '--console-for': not a duration");
        refusals.put(List.of("watchlist", "enrol", "--bootstrap", "127.0.0.1:9", "--expiry", "now+999999999999999d"),
                "Invalid value for option '--expiry': not a time (like now+8h, now+30min, now+2d)");
        refusals.forEach((args, message) -> {
            Run r = lfr(args.toArray(String[]::new));
            assertThat(r.code()).as(String.join(" ", args)).isNotZero();
            assertThat(r.err().strip()).as(String.join(" ", args)).startsWith("lfr: ").contains(message)
                    .doesNotContain("\n").doesNotContain("Exception");
            assertThat(r.out()).as("nothing started").doesNotContain("Kafka at");
        });
    }

    /** The whole stack: in-process Kafka, the job on a MiniCluster, walk-pasts of the sample photos' faces. */
    @Test
    void demoRaisesAlertsForWatchlistedPeopleOnly() throws Exception {
        Run r = lfr("demo", "--duration", "8", "--cameras", "2", "--fps", "5");
        assertThat(r.code()).as(r.err()).isZero();
        List<String> lines = r.lines();
        JsonNode summary = new ObjectMapper().readTree(lines.get(lines.size() - 1));
        assertThat(summary.get("frames").asInt()).isEqualTo(80);
        assertThat(summary.get("true_alerts").asInt()).isGreaterThan(0);
        assertThat(summary.get("false_alerts").asInt()).isZero();
        assertThat(summary.get("alerts").asInt()).isEqualTo(summary.get("true_alerts").asInt());
        assertThat(lines).filteredOn(l -> l.startsWith("ALERT ")).hasSize(summary.get("alerts").asInt());
    }
}
