package dev.lfr.governance.policy;

import static org.apache.flink.configuration.ConfigOptions.key;

import java.time.Duration;
import java.util.List;
import org.apache.flink.configuration.ConfigOption;

/**
 * The force's rules for deployments and watchlists, as typed options of the policy file ({@code --policy}). The
 * deployment length and threshold floor are the job's own options ({@code LiveMatchOptions}), so the tools refuse
 * what the job would refuse.
 */
public final class GovernanceOptions {
    private GovernanceOptions() {}

    /** The purposes the EU AI Act (Art. 5(1)(h)) and the force's policy allow real-time identification for. */
    public static final ConfigOption<List<String>> PURPOSES = key("deployment.purposes").stringType().asList()
            .defaultValues("missing-person", "victim-search", "imminent-threat", "wanted-offender")
            .withDescription("the purposes a deployment may name");
    public static final ConfigOption<List<String>> CAMERAS = key("deployment.cameras").stringType().asList()
            .noDefaultValue().withDescription("the cameras a deployment may use; unset: any camera id the job accepts");
    public static final ConfigOption<Duration> EXPIRY_AFTER_END = key("watchlist.expiry-after-end").durationType()
            .defaultValue(Duration.ofHours(24))
            .withDescription("an enrolment expires this long after its deployment's end unless it says otherwise");
    public static final ConfigOption<Duration> MAX_EXPIRY = key("watchlist.max-expiry").durationType()
            .defaultValue(Duration.ofDays(14)).withDescription("no enrolment may expire later than this from now");
    public static final ConfigOption<Duration> CROP_RETENTION = key("alerts.crop-retention").durationType()
            .defaultValue(Duration.ofDays(31))
            .withDescription("alert crops are deleted this long after their deployment ended; counts stay");
}
