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
        assertThat(r.lines().get(0)).startsWith("{\"embedder\":\"fr-feature-512\",\"enrol\":\"first\"");
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
