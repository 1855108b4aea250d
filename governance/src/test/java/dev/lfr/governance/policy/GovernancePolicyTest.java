package dev.lfr.governance.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lfr.governance.GovernanceException;
import java.time.Duration;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

class GovernancePolicyTest {
    @Test
    void theDefaultsAreAPolicy() {
        GovernancePolicy p = GovernancePolicy.of(new Configuration());
        assertThat(p.expiryAfterEnd()).isPositive();
        assertThat(p.maxExpiry()).isPositive();
        assertThat(p.cropRetention()).isPositive();
    }

    @Test
    void aDurationThatIsZeroNegativeOrHugeIsRefusedInOneLine() {
        for (String key : new String[] {GovernanceOptions.EXPIRY_AFTER_END.key(), GovernanceOptions.MAX_EXPIRY.key(),
                GovernanceOptions.CROP_RETENTION.key()}) {
            for (String value : new String[] {"0 s", "-1 h", "99999999999999 d"}) {
                assertThatThrownBy(() -> GovernancePolicy.of(Configuration.fromMap(Map.of(key, value))))
                        .as(key + " = " + value).isInstanceOf(GovernanceException.class)
                        .hasMessageContaining(key).hasMessageNotContaining("\n");
            }
        }
        assertThat(GovernancePolicy.of(Configuration.fromMap(Map.of(GovernanceOptions.MAX_EXPIRY.key(), "3650 d")))
                .maxExpiry()).isEqualTo(Duration.ofDays(3650));
    }
}
