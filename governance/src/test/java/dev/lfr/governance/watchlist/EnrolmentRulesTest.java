package dev.lfr.governance.watchlist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lfr.governance.policy.GovernancePolicy;
import dev.lfr.schemas.Deployment;
import dev.lfr.schemas.DeploymentStatus;
import dev.lfr.schemas.WatchlistOp;
import dev.lfr.schemas.WatchlistUpdate;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EnrolmentRulesTest {
    static final Instant NOW = Instant.parse("2026-11-27T08:00:00Z");
    final EnrolmentRules rules = new EnrolmentRules(GovernancePolicy.defaults());

    static Deployment deployment(String watchlist, DeploymentStatus status, Instant end, float threshold) {
        return Deployment.newBuilder().setId("d-" + status).setCameras(List.of("cam-1")).setStart(NOW).setEnd(end)
                .setWatchlist(watchlist).setThreshold(threshold).setStatus(status).setAuthorisedBy("supt").setSignageConfirmed(true)
                .setWatchlistVersion(7L).build();
    }

    @Test
    void anEntryExpiresADayAfterItsDeploymentEndsAndNeverLaterThanThePolicyAllows() {
        Instant end = NOW.plus(Duration.ofHours(8));
        assertThat(rules.expiry("wl", null, List.of(deployment("wl", DeploymentStatus.PLANNED, end, 0.6f)), NOW))
                .isEqualTo(end.plus(Duration.ofHours(24)));
        assertThatThrownBy(() -> rules.expiry("wl", null, List.of(deployment("other", DeploymentStatus.PLANNED, end, 0.6f)), NOW))
                .hasMessageContaining("no planned deployment uses watchlist wl");
        assertThatThrownBy(() -> rules.expiry("wl", NOW.plus(Duration.ofDays(60)), List.of(), NOW)).hasMessageContaining("max-expiry");
        assertThatThrownBy(() -> rules.expiry("wl", NOW.minusSeconds(1), List.of(), NOW)).hasMessageContaining("has passed");
    }

    @Test
    void aWatchlistIsFrozenWhileAnActiveDeploymentSearchesIt() {
        assertThatThrownBy(() -> rules.checkNotFrozen("wl", List.of(deployment("wl", DeploymentStatus.ACTIVE, NOW.plusSeconds(60), 0.6f))))
                .hasMessageContaining("frozen at version 7");
        rules.checkNotFrozen("wl", List.of(deployment("wl", DeploymentStatus.ENDED, NOW.plusSeconds(60), 0.6f)));
    }

    @Test
    void subjectsWithinTheSearchThresholdOfAnotherAreDuplicates() {
        float[] a = {1, 0, 0};
        float[] b = {0.8f, 0.6f, 0};
        float[] c = {0, 0, 1};
        EnrolmentRules.Provenance p = new EnrolmentRules.Provenance("warrant", "custody", "PACE");
        List<EnrolmentRules.Candidate> candidates = List.of(new EnrolmentRules.Candidate("new-b", b, "m", Path.of("b.jpg"), p),
                new EnrolmentRules.Candidate("new-c", c, "m", Path.of("c.jpg"), p));
        Map<String, WatchlistUpdate> live = Map.of("old-a", WatchlistUpdate.newBuilder().setWatchlist("wl").setSubject("old-a")
                .setVersion(1).setOp(WatchlistOp.UPSERT).setEmbeddingModel("m").setVector(List.of(a[0], a[1], a[2])).build());
        assertThat(EnrolmentRules.duplicates(candidates, live, 0.75f)).singleElement().satisfies(d -> {
            assertThat(d.subject()).isEqualTo("new-b");
            assertThat(d.resembles()).isEqualTo("old-a");
            assertThat(d.score()).isCloseTo(0.8, org.assertj.core.data.Offset.offset(1e-6));
        });
        assertThat(EnrolmentRules.duplicates(candidates, live, 0.85f)).isEmpty();
        assertThat(rules.duplicateThreshold("wl", List.of(deployment("wl", DeploymentStatus.PLANNED, NOW.plusSeconds(60), 0.55f))))
                .isEqualTo(0.55f);
    }

    @Test
    void provenanceIsRequired() {
        assertThatThrownBy(() -> new EnrolmentRules.Provenance("warrant", " ", "PACE").check("s1"))
                .hasMessage("s1: the image's source (--source) is missing; nothing was enrolled");
    }
}
