package dev.lfr.governance.policy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.lfr.governance.GovernanceException;
import dev.lfr.jobs.LiveMatchJob;
import dev.lfr.jobs.ingest.InputRules;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;

/**
 * The rules, read once from a policy file (flat YAML, the option keys of {@link GovernanceOptions} and the job's
 * deployment options) over the defaults.
 *
 * @param rules          the job's input rules (deployment length, threshold floor, id and text limits)
 * @param cameras        the cameras a deployment may use, or empty for any
 * @param expiryAfterEnd default life of an enrolment after its deployment's end
 * @param maxExpiry      the latest expiry from now an enrolment may have
 * @param cropRetention  how long after its deployment's end an alert keeps its crop
 */
public record GovernancePolicy(InputRules rules, Set<String> purposes, Optional<Set<String>> cameras, Duration expiryAfterEnd,
                               Duration maxExpiry, Duration cropRetention) {

    public static GovernancePolicy defaults() {
        return of(new Configuration());
    }

    public static GovernancePolicy of(Configuration c) {
        InputRules rules;
        try {
            rules = LiveMatchJob.Config.from(c).input();
        } catch (RuntimeException e) {
            throw new GovernanceException("policy: " + e.getMessage());
        }
        List<String> purposes = c.get(GovernanceOptions.PURPOSES);
        if (purposes.isEmpty()) {
            throw new GovernanceException("policy: " + GovernanceOptions.PURPOSES.key() + " lists no purpose");
        }
        Duration afterEnd = positive(c, GovernanceOptions.EXPIRY_AFTER_END);
        Duration maxExpiry = positive(c, GovernanceOptions.MAX_EXPIRY);
        return new GovernancePolicy(rules, Set.copyOf(purposes), c.getOptional(GovernanceOptions.CAMERAS).map(Set::copyOf),
                afterEnd, maxExpiry, positive(c, GovernanceOptions.CROP_RETENTION));
    }

    /** This policy with the job's input rules of another configuration. */
    public GovernancePolicy withRules(InputRules other) {
        return new GovernancePolicy(other, purposes, cameras, expiryAfterEnd, maxExpiry, cropRetention);
    }

    /** This policy with one more purpose allowed. */
    public GovernancePolicy withPurpose(String purpose) {
        Set<String> more = new java.util.HashSet<>(purposes);
        more.add(purpose);
        return new GovernancePolicy(rules, Set.copyOf(more), cameras, expiryAfterEnd, maxExpiry, cropRetention);
    }

    /** The policy of a YAML file of {@code key: value} lines (lists as YAML lists). */
    public static GovernancePolicy read(Path file) {
        Map<String, Object> yaml;
        try {
            @SuppressWarnings("unchecked")
            Map<String, Object> m = new ObjectMapper(new YAMLFactory()).readValue(Files.readAllBytes(file), Map.class);
            yaml = m == null ? Map.of() : m;
        } catch (IOException e) {
            throw new GovernanceException("cannot read policy " + file + ": " + e.getMessage().lines().findFirst().orElse(""));
        }
        Map<String, String> flat = new LinkedHashMap<>();
        yaml.forEach((k, v) -> flat.put(k, v instanceof List<?> l ? String.join(";", l.stream().map(String::valueOf).toList())
                : String.valueOf(v)));
        try {
            return of(Configuration.fromMap(flat));
        } catch (IllegalArgumentException e) {
            throw new GovernanceException("policy " + file + ": " + e.getMessage());
        }
    }

    private static Duration positive(Configuration c, ConfigOption<Duration> option) {
        try {
            Duration d = c.get(option); // Flink's parser refuses a malformed or negative one
            InputRules.positive(d, "policy: " + option.key()); // the job's own check: huge ones overflow deadlines
            return d;
        } catch (IllegalArgumentException e) {
            String why = e.getMessage();
            throw new GovernanceException(why.startsWith("policy: ") ? why : "policy: " + option.key() + ": " + why);
        }
    }
}
