package dev.lfr.governance.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lfr.governance.GovernanceException;
import dev.lfr.governance.policy.GovernanceOptions;
import dev.lfr.governance.policy.GovernancePolicy;
import dev.lfr.schemas.Deployment;
import dev.lfr.schemas.DeploymentLocation;
import dev.lfr.schemas.DeploymentStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.UnaryOperator;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

public class DeploymentLifecycleTest {
    static final Instant NOW = Instant.parse("2026-11-27T08:00:00Z");

    public static GovernancePolicy policy() {
        Configuration c = new Configuration();
        c.set(GovernanceOptions.CAMERAS, List.of("cam-1", "cam-2"));
        return GovernancePolicy.of(c);
    }

    public static DeploymentRequest request() {
        return new DeploymentRequest("oxford-circus-1", "wanted-offender", "supt-jones", "AUTH-2026-117", NOW.minusSeconds(3600),
                new DeploymentLocation("Oxford Circus", 51.5152, -0.1418), List.of("cam-1", "cam-2"), NOW.plusSeconds(600),
                NOW.plus(Duration.ofHours(8)), "wl-1", 0.6f, false, true);
    }

    final DeploymentLifecycle lifecycle = new DeploymentLifecycle(policy());

    @Test
    void aDeploymentIsPlannedThenActiveWithItsWatchlistFrozenThenEnded() {
        Deployment planned = lifecycle.create(request(), NOW);
        assertThat(planned.getStatus()).isEqualTo(DeploymentStatus.PLANNED);
        assertThat(planned.getTwoPersonVerification()).isTrue();
        Deployment active = lifecycle.activate(planned, true, 42, 17, NOW);
        assertThat(active.getStatus()).isEqualTo(DeploymentStatus.ACTIVE);
        assertThat(active.getWatchlistVersion()).isEqualTo(42);
        assertThat(active.getWatchlistSize()).isEqualTo(17);
        assertThat(active.getActivatedAt()).isEqualTo(NOW);
        Deployment ended = lifecycle.end(active, NOW.plusSeconds(60));
        assertThat(ended.getStatus()).isEqualTo(DeploymentStatus.ENDED);
        assertThat(ended.getEndedAt()).isEqualTo(NOW.plusSeconds(60));
        assertThatThrownBy(() -> lifecycle.activate(ended, true, 42, 17, NOW)).hasMessageContaining("is ENDED");
        assertThatThrownBy(() -> lifecycle.cancel(ended, NOW)).hasMessageContaining("PLANNED or ACTIVE");
        assertThat(lifecycle.cancel(planned, NOW).getStatus()).isEqualTo(DeploymentStatus.CANCELLED);
    }

    @Test
    void activationNeedsSignageAnOpenWindowAndSubjects() {
        Deployment planned = lifecycle.create(request(), NOW);
        assertThatThrownBy(() -> lifecycle.activate(planned, false, 1, 1, NOW)).hasMessageContaining("signs are up");
        assertThatThrownBy(() -> lifecycle.activate(planned, true, 1, 0, NOW)).hasMessageContaining("no live subject");
        assertThatThrownBy(() -> lifecycle.activate(planned, true, 1, 1, NOW.plus(Duration.ofHours(9))))
                .hasMessageContaining("window ended");
    }

    @Test
    void badRequestsAreRefusedWithOneLine() {
        List<UnaryOperator<DeploymentRequest>> bad = List.of(
                r -> with(r, "end", r.start().minusSeconds(1)),
                r -> with(r, "cameras", List.of("cam-1", "cam-9")),
                r -> with(r, "cameras", List.of("cam-1", "cam-1")),
                r -> with(r, "threshold", 0.1f),
                r -> with(r, "threshold", Float.NaN),
                r -> with(r, "purpose", "curiosity"),
                r -> with(r, "authorisedBy", " "),
                r -> with(r, "authorisedAt", NOW.plusSeconds(60)),
                r -> with(r, "location", null),
                r -> with(r, "location", new DeploymentLocation("Nowhere", 95.0, 0.0)),
                r -> with(r, "end", r.start().plus(Duration.ofHours(13))),
                r -> with(r, "end", NOW.minusSeconds(1)));
        for (UnaryOperator<DeploymentRequest> b : bad) {
            assertThatThrownBy(() -> lifecycle.create(b.apply(request()), NOW)).isInstanceOf(GovernanceException.class)
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n").isNotBlank());
        }
    }

    /** The request with one component replaced. */
    private static DeploymentRequest with(DeploymentRequest r, String name, Object value) {
        try {
            var comps = DeploymentRequest.class.getRecordComponents();
            Object[] args = new Object[comps.length];
            Class<?>[] types = new Class<?>[comps.length];
            for (int i = 0; i < comps.length; i++) {
                args[i] = comps[i].getName().equals(name) ? value : comps[i].getAccessor().invoke(r);
                types[i] = comps[i].getType();
            }
            return DeploymentRequest.class.getDeclaredConstructor(types).newInstance(args);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }
}
