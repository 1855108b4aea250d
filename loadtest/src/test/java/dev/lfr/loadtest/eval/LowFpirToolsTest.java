package dev.lfr.loadtest.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.lfr.loadtest.eval.OpenSetEvaluation.Identity;
import dev.lfr.loadtest.eval.ProbeSetEvaluation.Fusion;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Label corrections, strangers, cohort normalisation, probe-set fusion and calibration on hand-made descriptors. */
class LowFpirToolsTest {
    private static Identity id(String name, String... images) {
        return new Identity(name, Arrays.stream(images).map(i -> Path.of(name, i)).toList());
    }

    @Test
    void correctionsMergeAliasesAfterTheTrueNameAndDropWrongFaces() {
        LabelCorrections c = LabelCorrections.parse("""
                # comment
                same-person\tJon_Gruden\tJohn_Gruden\tone coach, misspelt

                wrong-face\tX_0002.jpg\t-\tsomeone else
                """, "test");
        List<Identity> out = c.apply(List.of(id("John_Gruden", "John_Gruden_0001.jpg"),
                id("Jon_Gruden", "Jon_Gruden_0001.jpg", "Jon_Gruden_0002.jpg"), id("X", "X_0002.jpg"),
                id("Y", "Y_0001.jpg", "X_0002.jpg")));
        assertThat(out).extracting(Identity::name).containsExactly("Jon_Gruden", "Y");
        // the true name's own photos first, so its enrolment photo stays its first
        assertThat(out.get(0).images()).extracting(p -> p.getFileName().toString())
                .containsExactly("Jon_Gruden_0001.jpg", "Jon_Gruden_0002.jpg", "John_Gruden_0001.jpg");
        assertThat(out.get(1).images()).hasSize(1);
    }

    @Test
    void everyCorrectionNeedsAReasonAndAKnownKind() {
        assertThatThrownBy(() -> LabelCorrections.parse("same-person\tA\tB\t \n", "f"))
                .hasMessageContaining("f line 1");
        assertThatThrownBy(() -> LabelCorrections.parse("alias\tA\tB\twhy\n", "f")).hasMessageContaining("unknown kind alias");
        assertThatThrownBy(() -> LabelCorrections.parse("same-person\tA\tA\twhy\n", "f")).hasMessageContaining("A listed");
    }

    @Test
    void theShippedLfwListParsesAndEveryEntryIsJustified() throws Exception {
        LabelCorrections lfw = LabelCorrections.lfw();
        assertThat(lfw.sameAs()).containsEntry("John_Gruden", "Jon_Gruden").hasSizeGreaterThanOrEqualTo(5);
        assertThat(lfw.wrongFace()).contains("Michael_Schumacher_0008.jpg");
    }

    @Test
    void strangersAreFurtherNonMatedSearches() {
        Map<Path, float[]> d = new HashMap<>();
        d.put(Path.of("a1"), new float[] {1, 0});
        d.put(Path.of("a2"), new float[] {1, 0});
        OpenSetEvaluation.Embedded e = new OpenSetEvaluation.Embedded(d, Map.of());
        OpenSetEvaluation.Result r = OpenSetEvaluation.evaluate(List.of(new Identity("a", List.of(Path.of("a1"), Path.of("a2")))),
                e, new OpenSetEvaluation.Options(OpenSetEvaluation.Enrol.FIRST, false, 0),
                List.of(new OpenSetEvaluation.Stranger("crowd.jpg", new float[] {0.6f, 0.8f})));
        assertThat(r.metrics().nonMatedScores()).hasSize(2); // a2 with a left out, then the stranger
        assertThat(r.metrics().nonMatedScores()[1]).isCloseTo(0.6, within(1e-6));
        assertThat(r.nonMatedIdentity()).containsExactly("a", "stranger:crowd.jpg");
        assertThat(r.nonMated().get(1).candidate()).isEqualTo("a");
    }

    /**
     * Screened probes: a screened score far from the threshold stands; one within the margin is replaced by the
     * exact descriptor's search, and the tally counts it.
     */
    @Test
    void screenedSearchesNearTheThresholdRunAgainOnTheExactDescriptor() {
        Map<Path, float[]> exact = new HashMap<>();
        exact.put(Path.of("a", "a1"), new float[] {1, 0, 0});
        exact.put(Path.of("a", "a2"), new float[] {0.6f, 0, 0.8f}); // exact mate score 0.6
        exact.put(Path.of("b", "b1"), new float[] {0, 1, 0});
        Map<Path, float[]> screened = new HashMap<>(exact);
        screened.put(Path.of("a", "a2"), new float[] {0.52f, 0, 0.854f}); // screened best (the mate) 0.52: near 0.5
        screened.put(Path.of("b", "b1"), new float[] {0.05f, 0.9987f, 0}); // best 0.05: far from it
        OpenSetEvaluation.Embedded e = new OpenSetEvaluation.Embedded(exact, Map.of());
        List<Identity> ids = List.of(id("a", "a1", "a2"), id("b", "b1"));
        OpenSetEvaluation.Result r = OpenSetEvaluation.evaluate(ids, e, new OpenSetEvaluation.Options(
                OpenSetEvaluation.Enrol.FIRST, false, 0, new OpenSetEvaluation.ScreenedProbes(screened,
                        new dev.lfr.udfs.pipeline.Screening("int8", 0.05), 0.5)), List.of());
        assertThat(r.metrics().mateScores()[0]).as("the exact search decided").isCloseTo(0.6, within(1e-6));
        assertThat(r.metrics().nonMatedScores()[1]).as("b1's screened score stood").isCloseTo(0.05, within(1e-6));
        assertThat(r.screened().searches()).isEqualTo(3); // a2 mated and non-mated, b1
        assertThat(r.screened().rescored()).isEqualTo(1);
        assertThat(r.screened().largestMove()).isCloseTo(0.08, within(1e-6));
    }

    @Test
    void cohortNormalisationLowersAHubAgainstAProbeThatResemblesEveryone() {
        // entry 0 is a hub (close to entries 1 and 2); entry 3 stands apart
        List<float[]> t = List.of(unit(1, 1, 0), unit(1, 0.8f, 0.1f), unit(0.8f, 1, 0.1f), unit(0, 0, 1));
        CohortNormalisation none = new CohortNormalisation(t, 0);
        CohortNormalisation k1 = new CohortNormalisation(t, 1);
        float[] probe = unit(1, 1, 0.3f);
        double[] raw = none.scores(probe, -1);
        double[] z = k1.scores(probe, -1);
        double probeCohort = sorted(raw)[raw.length - 2]; // its 2nd best
        for (int i = 0; i < t.size(); i++) {
            double entryCohort = max(t, i);
            assertThat(z[i]).isCloseTo(raw[i] - (entryCohort + probeCohort) / 2, within(1e-9));
        }
        assertThat(k1.scores(probe, 2)[2]).isEqualTo(Double.NEGATIVE_INFINITY);
    }

    @Test
    void probeSetsAreFusedFourWaysBesideOneFace() {
        Map<Path, float[]> d = new HashMap<>();
        Map<Path, Double> utility = new HashMap<>();
        List<Identity> ids = new ArrayList<>();
        put(d, utility, "a/0", unit(1, 0, 0), 1);
        put(d, utility, "a/1", unit(1, 0.2f, 0), 1);   // a good face
        put(d, utility, "a/2", unit(0, 1, 0), 0.01);   // a poor face that looks like b
        ids.add(new Identity("a", List.of(Path.of("a/0"), Path.of("a/1"), Path.of("a/2"))));
        put(d, utility, "b/0", unit(0, 1, 0), 1);
        put(d, utility, "b/1", unit(0, 1, 0.1f), 1);
        ids.add(new Identity("b", List.of(Path.of("b/0"), Path.of("b/1"))));
        List<ProbeSetEvaluation.FusionResult> r = ProbeSetEvaluation.evaluate(ids,
                new OpenSetEvaluation.Embedded(d, Map.of(), utility), 5);
        assertThat(r).extracting(ProbeSetEvaluation.FusionResult::fusion).containsExactly(Fusion.values());
        assertThat(r).allSatisfy(f -> assertThat(f.sets()).isEqualTo(1)); // b has one probe: no set
        double one = r.get(0).metrics().mateScores()[0];
        double best = r.get(1).metrics().mateScores()[0];
        double quality = r.get(4).metrics().mateScores()[0];
        double mean = r.get(3).metrics().mateScores()[0];
        assertThat(one).isCloseTo(best, within(1e-6)); // a/1 is the set's first photo and its best
        assertThat(best).isCloseTo(OpenSetEvaluation.dot(unit(1, 0.2f, 0), unit(1, 0, 0)), within(1e-6));
        assertThat(quality).isGreaterThan(mean); // the poor face barely counts
        // with its own identity left out, the set's best face alarms on b at 1.0
        assertThat(r.get(1).metrics().nonMatedScores()[0]).isCloseTo(1.0, within(1e-6));
        assertThatThrownBy(() -> ProbeSetEvaluation.evaluate(ids, new OpenSetEvaluation.Embedded(d, Map.of()), 1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void calibrationPicksTheThresholdAndSaysHowSureItIs() {
        double[] nonMated = new double[2000];
        for (int i = 0; i < nonMated.length; i++) {
            nonMated[i] = i / 2000.0; // 0 .. 0.9995
        }
        IdentificationMetrics m = new IdentificationMetrics(new double[] {0.999, 0.5, Double.NaN},
                new boolean[] {true, true, false}, nonMated);
        ThresholdCalibration.Calibration c = ThresholdCalibration.calibrate(m, 1e-3, 500, 7);
        // at most 2 of 2,000 may alarm: the threshold is just above the third highest
        assertThat(c.threshold()).isCloseTo(0.9985, within(1e-6));
        assertThat(c.fpir().hits()).isEqualTo(2);
        assertThat(c.tpir().hits()).isEqualTo(1);
        assertThat(c.resolvable()).isTrue();
        assertThat(c.catalogDistance()).isCloseTo(1 - c.threshold(), within(1e-12));
        assertThat(c.thresholdCi95().get(0)).isLessThanOrEqualTo(c.threshold());
        assertThat(c.thresholdCi95().get(1)).isGreaterThanOrEqualTo(c.threshold()).isLessThan(1.0);
        assertThat(ThresholdCalibration.calibrate(m, 1e-4, 0, 7).resolvable()).isFalse();
        assertThatThrownBy(() -> ThresholdCalibration.calibrate(m, 0, 10, 7)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void scoresSurviveTheirFile(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        IdentificationMetrics m = new IdentificationMetrics(new double[] {0.9, Double.NaN}, new boolean[] {true, false},
                new double[] {0.1, Double.NaN});
        ThresholdCalibration.write(dir.resolve("s.json"), ThresholdCalibration.Scores.of("d", "e", "first", m));
        IdentificationMetrics back = ThresholdCalibration.read(dir.resolve("s.json")).metrics();
        assertThat(back.mateScores()).containsExactly(0.9, Double.NaN);
        assertThat(back.mateIsTop()).containsExactly(true, false);
        assertThat(back.nonMatedScores()).containsExactly(0.1, Double.NaN);
    }

    private static void put(Map<Path, float[]> d, Map<Path, Double> u, String p, float[] v, double utility) {
        d.put(Path.of(p), v);
        u.put(Path.of(p), utility);
    }

    private static double max(List<float[]> t, int i) {
        double best = Double.NEGATIVE_INFINITY;
        for (int o = 0; o < t.size(); o++) {
            if (o != i) {
                best = Math.max(best, OpenSetEvaluation.dot(t.get(i), t.get(o)));
            }
        }
        return best;
    }

    private static double[] sorted(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s;
    }

    private static float[] unit(float... v) {
        double n = 0;
        for (float x : v) {
            n += x * x;
        }
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (float) (v[i] / Math.sqrt(n));
        }
        return out;
    }
}
