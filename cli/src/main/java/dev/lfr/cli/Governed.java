package dev.lfr.cli;

import dev.lfr.governance.policy.GovernancePolicy;
import dev.lfr.governance.watchlist.ReferenceImages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import org.apache.flink.util.TimeUtils;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/** What every governed command needs: the broker, the force's policy and the reference photo store. */
final class Governed {
    @Option(names = "--bootstrap", paramLabel = "HOST:PORT", required = true, description = "Kafka bootstrap servers")
    String bootstrap;

    @Option(names = "--policy", paramLabel = "FILE", description = {"the force's rules (YAML; see config/governance.yaml);",
            "default: $LFR_POLICY, else the built-in defaults"})
    Path policy = System.getenv("LFR_POLICY") == null ? null : Path.of(System.getenv("LFR_POLICY"));

    @Option(names = "--images", paramLabel = "DIR", description = "the reference photo store (default: $LFR_IMAGES, else ~/.lfr/images)")
    Path images = System.getenv("LFR_IMAGES") != null ? Path.of(System.getenv("LFR_IMAGES"))
            : Path.of(System.getProperty("user.home"), ".lfr", "images");

    /** Who makes a change and why: both go into the audit trail. */
    static final class Accountable {
        @Option(names = "--officer", paramLabel = "ID", required = true, description = "who makes the change")
        String officer;

        @Option(names = "--reason", paramLabel = "TEXT", required = true, description = "why (goes into the audit trail)")
        String reason;
    }

    GovernancePolicy policy() {
        if (policy == null) {
            return GovernancePolicy.defaults();
        }
        if (!Files.isRegularFile(policy)) {
            throw new UserError("no such policy file: " + policy);
        }
        return GovernancePolicy.read(policy);
    }

    ReferenceImages images() {
        return new ReferenceImages(images);
    }

    /** An instant as ISO-8601 ({@code 2026-11-27T08:00:00Z}), {@code now}, or {@code now+8h} / {@code now-30m}. */
    static final class InstantArg implements ITypeConverter<Instant> {
        @Override
        public Instant convert(String value) {
            String v = value.trim();
            if (v.startsWith("now")) {
                String rest = v.substring(3);
                if (rest.isEmpty()) {
                    return Instant.now();
                }
                char sign = rest.charAt(0);
                if (sign != '+' && sign != '-') {
                    throw new TypeConversionException("not a time: " + value);
                }
                Duration d = duration(rest.substring(1), value);
                return sign == '+' ? Instant.now().plus(d) : Instant.now().minus(d);
            }
            try {
                return Instant.parse(v);
            } catch (DateTimeParseException e) {
                throw new TypeConversionException("not a time (ISO-8601 like 2026-11-27T08:00:00Z, or now, now+8h): " + value);
            }
        }

        private static Duration duration(String amount, String value) {
            try {
                return TimeUtils.parseDuration(amount);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException("not a time (like now+8h, now+30min, now+2d): " + value);
            }
        }
    }

    /** A duration as the configuration writes one: {@code 15 min}, {@code 1h}, {@code 2d}. */
    static final class DurationArg implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            try {
                return TimeUtils.parseDuration(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException("not a duration (like 15 min, 1h, 2d): " + value);
            }
        }
    }
}
