package dev.lfr.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./lfr eval --data --out} on the smallest labelled set of ../shared/data (8 people, 5 photos each). */
class EvalCommandTest {

    @Test
    void writesTheReportWithEveryKeyTheDetPlotAndPerGroupRates(@TempDir Path out) throws Exception {
        Path data = dev.lfr.jobs.SharedLfw.dir().getParent().resolve("faceapi_js_bbt");
        Path groups = out.resolve("groups.tsv");
        Files.writeString(groups, "# identity, group\namy\tf\nbernadette\tf\npenny\tf\nleonard\tm\nsheldon,m\n");
        LfrCommandLineTest.Run r = LfrCommandLineTest.lfr("eval", "--data", data.toString(), "--out", out.toString(),
                "--enrol", "first", "--threshold", "0.5", "--groups", groups.toString(), "--threads", "1");
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode report = new ObjectMapper().readTree(out.resolve("report.json").toFile());
        assertThat(report.get("watchlist_size").asInt()).isEqualTo(8);
        assertThat(report.get("mated_probes").asInt()).isEqualTo(32);  // 4 more photos of each of 8 people
        assertThat(report.get("nonmated_probes").asInt()).isEqualTo(32); // no one with one photo: each probe again
        assertThat(report.get("fte").asInt()).isGreaterThanOrEqualTo(0);
        assertThat(report.get("rank1").asDouble()).isBetween(0.5, 1.0);
        for (String key : new String[] {"tpir_at_fpir", "threshold_at_fpir", "tpir_ci95", "fpir_resolvable"}) {
            assertThat(report.get(key).fieldNames()).toIterable()
                    .containsExactly("0.01", "0.001", "0.000167", "0.0001");
        }
        assertThat(report.at("/fpir_resolvable/0.01").asBoolean()).isFalse(); // 32 non-mated probes cannot show 1%
        assertThat(report.at("/at_threshold/threshold").asDouble()).isEqualTo(0.5);
        assertThat(report.get("groups").fieldNames()).toIterable().containsExactly("f", "m", "unlabelled");
        assertThat(report.at("/groups/f/fnir/total").asInt()).isEqualTo(12);
        byte[] png = Files.readAllBytes(out.resolve("det.png"));
        assertThat(png).startsWith(0x89, 'P', 'N', 'G');
        assertThat(Files.readString(out.resolve("report.md"))).contains("| 0.000167 |", "## Per group");
        assertThat(r.lines().get(0)).startsWith("{\"dataset\":\"" + data + "\",\"embedder\":\"fr-feature-512\"");
    }

    @Test
    void correctionsStrangersCohortAndProbeSetsThenCalibrate(@TempDir Path out) throws Exception {
        Path shared = dev.lfr.jobs.SharedLfw.dir().getParent();
        Path fixes = out.resolve("fixes.tsv");
        Files.writeString(fixes, "wrong-face\tamy1.png\t-\tfor the test\nsame-person\tpenny\tstuart\tfor the test\n");
        LfrCommandLineTest.Run r = LfrCommandLineTest.lfr("eval", "--data", shared.resolve("faceapi_js_bbt").toString(),
                "--out", out.toString(), "--corrections", fixes.toString(), "--strangers",
                shared.resolve("insightface").toString(), "--cohort", "2", "--probe-sets", "3", "--threads", "1");
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode raw = new ObjectMapper().readTree(out.resolve("report.json").toFile());
        JsonNode fixed = new ObjectMapper().readTree(out.resolve("corrected/report.json").toFile());
        // the group photo and Tom Hanks add non-mated searches beyond the 32 of the eight people
        assertThat(raw.get("nonmated_probes").asInt()).isGreaterThan(32);
        assertThat(raw.get("embedder").asText()).isEqualTo("fr-feature-512, cohort normalisation k=2");
        assertThat(raw.get("watchlist_size").asInt()).isEqualTo(8);
        assertThat(fixed.get("watchlist_size").asInt()).isEqualTo(7); // stuart counts as penny
        // amy1 left out (amy: 3 probes, not 4); penny enrolled from penny's first photo, her other 4 and all 5 of stuart's
        // are her probes (9 where penny and stuart had 4 each)
        assertThat(fixed.get("mated_probes").asInt()).isEqualTo(32 - 1 - 4 - 4 + 9);
        assertThat(Files.readString(out.resolve("probe-sets.md"))).contains("| best face |", "| quality weighted |");

        LfrCommandLineTest.Run cal = LfrCommandLineTest.lfr("calibrate", "--scores", out.resolve("scores.json").toString(),
                "--target-fpir", "0.05", "--json");
        assertThat(cal.code()).as(cal.err()).isZero();
        JsonNode c = new ObjectMapper().readTree(cal.lines().get(0));
        assertThat(c.get("target_fpir").asDouble()).isEqualTo(0.05);
        assertThat(c.get("threshold").isNumber()).isTrue();
        assertThat(c.at("/fpir/value").asDouble()).isLessThanOrEqualTo(0.05);
        assertThat(c.get("threshold_ci95")).hasSize(2);

        assertThat(LfrCommandLineTest.lfr("calibrate", "--scores", out.resolve("none.json").toString(),
                "--target-fpir", "0.001").err()).startsWith("lfr: no such scores file").hasLineCount(1);
        assertThat(LfrCommandLineTest.lfr("calibrate", "--scores", out.resolve("report.json").toString(),
                "--target-fpir", "2").err()).startsWith("lfr: --target-fpir must be between 0 and 1").hasLineCount(1);
        assertThat(LfrCommandLineTest.lfr("calibrate", "--scores", out.resolve("report.json").toString(),
                "--target-fpir", "0.01").err()).startsWith("lfr: not a scores file").hasLineCount(1);
        Files.writeString(out.resolve("partial.json"), "{\"mated\": [0.5]}");
        assertThat(LfrCommandLineTest.lfr("calibrate", "--scores", out.resolve("partial.json").toString(),
                "--target-fpir", "0.01").err()).startsWith("lfr: not a scores file").hasLineCount(1);
        assertThat(LfrCommandLineTest.lfr("eval", "--data", out.toString(), "--out", out.toString(), "--corrections",
                "nope.tsv").err()).startsWith("lfr: --corrections is 'lfw' or a file").hasLineCount(1);
    }

    @Test
    void badOptionsAreOneLineErrors(@TempDir Path out) {
        LfrCommandLineTest.Run noOut = LfrCommandLineTest.lfr("eval", "--data", out.toString());
        assertThat(noOut.err()).isEqualTo("lfr: --data DIR and --out OUTDIR go together\n");
        LfrCommandLineTest.Run mode = LfrCommandLineTest.lfr("eval", "--data", out.toString(), "--out", out.toString(),
                "--enrol", "all");
        assertThat(mode.err()).startsWith("lfr: --enrol is first or mean3").hasLineCount(1);
        LfrCommandLineTest.Run empty = LfrCommandLineTest.lfr("eval", "--data", out.toString(), "--out", out.toString());
        assertThat(empty.code()).isNotZero();
        assertThat(empty.err()).contains("holds no DIR/<identity>/<images>").hasLineCount(1);
    }
}
