package dev.lfr.console.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lfr.governance.GovernanceException;
import dev.lfr.testkit.MovableClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Users, sessions and the login throttle, without a server. */
class AccessTest {
    @Test
    void aUsersFileHoldsHashesThatCheckPasswordsAndRefusesBadEntries(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("users.yaml");
        ConsoleUsers.of(List.of()).with(new ConsoleUsers.User("pc-1", Role.OFFICER, ConsoleUsers.hash("long enough pw"), List.of("op-1")))
                .write(file);
        assertThat(Files.readString(file)).doesNotContain("long enough pw").contains("$2a$12$");
        ConsoleUsers users = ConsoleUsers.read(file);
        assertThat(users.authenticate("pc-1", "long enough pw")).hasValueSatisfying(u -> {
            assertThat(u.assignedTo("op-1")).isTrue();
            assertThat(u.assignedTo("op-2")).isFalse();
        });
        assertThat(users.authenticate("pc-1", "long enough PW")).isEmpty();
        assertThat(users.authenticate("nobody", "long enough pw")).isEmpty();
        assertThatThrownBy(() -> ConsoleUsers.hash("short")).isInstanceOf(GovernanceException.class).hasMessageContaining("at least 10");

        Files.writeString(file, "users:\n  - name: pc-2\n    role: OFFICER\n    password_hash: hunter2\n    deployments: ['*']\n");
        assertThatThrownBy(() -> ConsoleUsers.read(file)).hasMessageContaining("has no bcrypt password_hash");
        Files.writeString(file, "users:\n  - name: '<b>'\n    role: OFFICER\n");
        assertThatThrownBy(() -> ConsoleUsers.read(file)).hasMessageContaining("a user name is");
        Files.writeString(file, "users:\n  - name: pc-3\n    role: CHIEF\n");
        assertThatThrownBy(() -> ConsoleUsers.read(file)).isInstanceOf(GovernanceException.class).hasMessageStartingWith("users file");
        assertThatThrownBy(() -> ConsoleUsers.read(dir.resolve("missing.yaml"))).hasMessageContaining("no users file");
    }

    @Test
    void aLoginReplacesTheSessionAndIdleSessionsEnd() {
        MovableClock clock = new MovableClock(Instant.parse("2026-11-28T08:00:00Z"));
        Sessions sessions = new Sessions(clock, Duration.ofMinutes(30), 3);
        Sessions.Session anonymous = sessions.anonymous();
        assertThat(anonymous.user()).isEmpty();
        ConsoleUsers.User u = new ConsoleUsers.User("pc-1", Role.OFFICER, "x", List.of("*"));
        Sessions.Session in = sessions.login(anonymous, u);
        assertThat(in.id()).isNotEqualTo(anonymous.id());
        assertThat(in.csrf()).isNotEqualTo(anonymous.csrf());
        assertThat(sessions.find(anonymous.id())).isEmpty(); // a planted pre-login cookie is worthless afterwards
        assertThat(in.csrfMatches(in.csrf())).isTrue();
        assertThat(in.csrfMatches(anonymous.csrf())).isFalse();
        assertThat(in.csrfMatches(null)).isFalse();

        clock.advance(Duration.ofMinutes(29));
        assertThat(sessions.find(in.id())).isPresent(); // a request keeps it open
        clock.advance(Duration.ofMinutes(31));
        assertThat(sessions.live(in)).isFalse();
        assertThat(sessions.find(in.id())).isEmpty();

        Sessions.Session officer = sessions.login(sessions.anonymous(), u);
        clock.advance(Duration.ofMinutes(1)); // the officer's is now the least recently used
        for (int i = 0; i < 5; i++) {
            sessions.anonymous();
        }
        assertThat(sessions.size()).isLessThanOrEqualTo(3); // visitors cannot grow the table without bound
        assertThat(sessions.live(officer)).isTrue(); // nor push a logged-in officer out
    }

    @Test
    void failedLoginsAreThrottledUntilTheOldestLeavesTheWindow() {
        MovableClock clock = new MovableClock(Instant.parse("2026-11-28T08:00:00Z"));
        LoginThrottle t = new LoginThrottle(clock, 3, Duration.ofMinutes(5));
        for (int i = 0; i < 3; i++) {
            assertThat(t.waitFor("name:pc-1")).isZero();
            t.failed("name:pc-1");
            clock.advance(Duration.ofSeconds(60));
        }
        assertThat(t.waitFor("name:pc-1")).isEqualTo(Duration.ofMinutes(2)); // the first failure leaves at 5 min
        assertThat(t.waitFor("name:pc-2")).isZero();
        clock.advance(Duration.ofMinutes(2));
        assertThat(t.waitFor("name:pc-1")).isZero();
        t.failed("name:pc-1");
        t.succeeded("name:pc-1");
        assertThat(t.waitFor("name:pc-1")).isZero();
    }
}
