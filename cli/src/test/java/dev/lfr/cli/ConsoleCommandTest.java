package dev.lfr.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lfr.console.access.ConsoleUsers;
import dev.lfr.console.access.Role;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConsoleCommandTest {
    record Run(int code, String out, String err) {}

    static Run lfr(String stdin, String... args) {
        InputStream before = System.in;
        System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
        try {
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            int code = Lfr.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
            return new Run(code, out.toString(), err.toString());
        } finally {
            System.setIn(before);
        }
    }

    @Test
    void consoleUserAddsAndReplacesUsersWithBcryptHashesAndRefusesInOneLine(@TempDir Path dir) throws Exception {
        Path users = dir.resolve("users.yaml");
        Run added = lfr("a long passphrase\n", "console", "user", "--users", users.toString(), "--name", "pc-4471", "--role", "OFFICER",
                "--deployments", "op-1,op-2");
        assertThat(added.code()).as(added.err()).isZero();
        assertThat(added.out()).startsWith("added pc-4471 (OFFICER, deployments op-1,op-2)");
        Run replaced = lfr("another passphrase\n", "console", "user", "--users", users.toString(), "--name", "pc-4471", "--role",
                "SUPERVISOR", "--deployments", "*");
        assertThat(replaced.out()).startsWith("replaced pc-4471");
        ConsoleUsers read = ConsoleUsers.read(users);
        assertThat(read.all()).singleElement().satisfies(u -> assertThat(u.role()).isEqualTo(Role.SUPERVISOR));
        assertThat(read.authenticate("pc-4471", "another passphrase")).isPresent();
        assertThat(Files.readString(users)).doesNotContain("passphrase");

        Run shortPassword = lfr("short\n", "console", "user", "--users", users.toString(), "--name", "pc-1", "--role", "ANALYST",
                "--deployments", "*");
        assertThat(shortPassword.code()).isEqualTo(1);
        assertThat(shortPassword.err().strip()).isEqualTo("lfr: a password has at least 10 characters");
        Run badRole = lfr("a long passphrase\n", "console", "user", "--users", users.toString(), "--name", "pc-1", "--role", "CHIEF",
                "--deployments", "*");
        assertThat(badRole.code()).isEqualTo(2);
        assertThat(badRole.err().lines()).hasSize(1);
        Run nothing = lfr("", "console");
        assertThat(nothing.err().strip()).isEqualTo("lfr: console needs --bootstrap and --users (see: lfr console --help)");
        Run noUsers = lfr("", "console", "--bootstrap", "127.0.0.1:1", "--users", dir.resolve("missing.yaml").toString());
        assertThat(noUsers.code()).isEqualTo(1);
        assertThat(noUsers.err().strip()).startsWith("lfr: no users file").doesNotContain("\n");
        Files.writeString(users, "users: [{name: x, role: OFFICER, password_hash: plain}]\n");
        Run plain = lfr("", "console", "--bootstrap", "127.0.0.1:1", "--users", users.toString());
        assertThat(plain.err().strip()).isEqualTo("lfr: user x has no bcrypt password_hash (./lfr console user makes one)");
    }
}
