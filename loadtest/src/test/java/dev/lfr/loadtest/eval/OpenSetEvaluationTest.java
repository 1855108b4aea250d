package dev.lfr.loadtest.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.lfr.loadtest.eval.OpenSetEvaluation.Enrol;
import dev.lfr.loadtest.eval.OpenSetEvaluation.Identity;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The protocol on hand-made 2-D descriptors, where every score can be worked out on paper. */
class OpenSetEvaluationTest {
    private static final Map<Path, float[]> D = new HashMap<>();
    private static final Map<Path, Integer> FACES = new HashMap<>();
    private static final List<Identity> IDS = List.of(
            id("a", v("a1", 1, 0), v("a2", 0.8f, 0.6f), v("a3", 0.6f, 0.8f)),
            id("b", v("b1", 0, 1), v("b2", -0.6f, 0.8f), v("b3", Float.NaN, 0)),  // b3: no usable face
            id("c", v("c1", 0.7071068f, 0.7071068f)),                             // one image: non-mated only
            id("d", v("d1", Float.NaN, 0), v("d2", 1, 0)));                       // cannot be enrolled

    private static Path v(String name, float x, float y) {
        Path p = Path.of(name + ".jpg");
        if (!Float.isNaN(x)) {
            D.put(p, new float[] {x, y});
        }
        FACES.put(p, Float.isNaN(x) ? 0 : 1);
        return p;
    }

    private static OpenSetEvaluation.Embedded embedded() {
        return new OpenSetEvaluation.Embedded(D, FACES);
    }

    private static Identity id(String name, Path... images) {
        return new Identity(name, List.of(images));
    }

    @Test
    void firstImageEnrolment() {
        OpenSetEvaluation.Result r = OpenSetEvaluation.evaluate(IDS, embedded(), Enrol.FIRST, false);
        assertThat(r.watchlistSize()).isEqualTo(2);
        assertThat(r.enrolFailures()).isEqualTo(1);
        assertThat(r.matedIdentity()).containsExactly("a", "a", "b", "b");
        assertThat(r.metrics().mateScores()).containsExactly(new double[] {0.8, 0.6, 0.8, Double.NaN}, within(1e-6));
        assertThat(r.metrics().mateIsTop()).containsExactly(true, false, true, false); // a3 is nearer b's template
        // each mated probe again without its own identity, then c against everyone
        assertThat(r.metrics().nonMatedScores()).containsExactly(new double[] {0.6, 0.8, -0.6, Double.NaN, 0.7071068}, within(1e-6));
        assertThat(r.matedFte()).isEqualTo(1);
        assertThat(r.nonMatedFte()).isEqualTo(1);
    }

    @Test
    void meanOfUpToThreeLeavesOneImageToProbe() {
        OpenSetEvaluation.Result r = OpenSetEvaluation.evaluate(IDS, embedded(), Enrol.MEAN3, false);
        // a: enrolled from a1 and a2, template (0.9487, 0.3162); b from b1 and b2, template (-0.3162, 0.9487).
        // Probe a3 now beats b's template; b's only probe b3 has no face
        assertThat(r.matedIdentity()).containsExactly("a", "b");
        assertThat(r.metrics().mateScores()[0]).isCloseTo(0.8222, within(1e-4));
        assertThat(r.metrics().mateIsTop()).containsExactly(true, false);
        assertThat(r.metrics().nonMatedScores()).containsExactly(new double[] {0.5692, Double.NaN, 0.8944}, within(1e-4));
    }

    @Test
    void singleFaceEnrolmentRefusesAPhotoWithTwoUsableFaces() {
        Map<Path, Integer> faces = new HashMap<>(FACES);
        faces.put(Path.of("b1.jpg"), 2); // b's first photo shows two people
        OpenSetEvaluation.Result r = OpenSetEvaluation.evaluate(IDS, new OpenSetEvaluation.Embedded(D, faces),
                Enrol.FIRST, true);
        assertThat(r.watchlistSize()).isEqualTo(1);
        assertThat(r.enrolFailures()).isEqualTo(2); // b and d
        assertThat(r.matedIdentity()).containsOnly("a");
        // the same photo is still a probe where it is one: here c and a's probes search the one-entry watchlist
        assertThat(OpenSetEvaluation.evaluate(IDS, new OpenSetEvaluation.Embedded(D, faces), Enrol.FIRST, false)
                .watchlistSize()).isEqualTo(2);
    }
}
