package dev.lfr.console.access;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.lfr.governance.GovernanceException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;

/**
 * The console's users, from a YAML file that holds bcrypt hashes, never passwords:
 *
 * <pre>
 * users:
 *   - name: pc-4471
 *     role: OFFICER            # OFFICER, SUPERVISOR or ANALYST
 *     password_hash: $2a$12$...
 *     deployments: [op-king-cross]   # or ["*"] for every deployment
 * </pre>
 */
public final class ConsoleUsers {
    /** A user; {@code deployments} holds ids, or {@link #ALL}. */
    public record User(String name, Role role, String passwordHash, List<String> deployments) {
        public boolean assignedTo(String deployment) {
            return deployments.contains(ALL) || deployments.contains(deployment);
        }
    }

    public static final String ALL = "*";
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._@-]{1,64}");
    private static final int MIN_PASSWORD = 10;
    private static final BCryptPasswordEncoder BCRYPT = new BCryptPasswordEncoder(12);
    /** Compared against when the name is unknown, so that a wrong name takes as long as a wrong password. */
    private static final String DECOY = BCRYPT.encode("decoy password, never anyone's");

    private final Map<String, User> users;

    private ConsoleUsers(Map<String, User> users) {
        this.users = users;
    }

    public static ConsoleUsers of(List<User> users) {
        Map<String, User> byName = new LinkedHashMap<>();
        for (User u : users) {
            check(u);
            if (byName.put(u.name(), u) != null) {
                throw new GovernanceException("user " + u.name() + " is listed twice");
            }
        }
        return new ConsoleUsers(byName);
    }

    /** @throws GovernanceException when the file is missing, unreadable or holds a bad entry */
    public static ConsoleUsers read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new GovernanceException("no users file " + file + " (make one with ./lfr console user)");
        }
        try {
            UsersFile f = YAML.readValue(file.toFile(), UsersFile.class);
            List<User> list = new ArrayList<>();
            for (UserEntry e : f.users == null ? List.<UserEntry>of() : f.users) {
                list.add(new User(e.name, e.role, e.passwordHash, e.deployments == null ? List.of() : List.copyOf(e.deployments)));
            }
            return of(list);
        } catch (IOException e) {
            throw new GovernanceException("users file " + file + ": " + firstLine(e.getMessage()));
        }
    }

    public void write(Path file) throws IOException {
        UsersFile f = new UsersFile();
        f.users = new ArrayList<>();
        for (User u : users.values()) {
            UserEntry e = new UserEntry();
            e.name = u.name();
            e.role = u.role();
            e.passwordHash = u.passwordHash();
            e.deployments = u.deployments();
            f.users.add(e);
        }
        Path parent = file.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path tmp = Files.createTempFile(parent, ".users", ".yaml");
        YAML.writeValue(tmp.toFile(), f);
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    /** These users with {@code user} added, or replacing the one of the same name. */
    public ConsoleUsers with(User user) {
        check(user);
        Map<String, User> next = new LinkedHashMap<>(users);
        next.put(user.name(), user);
        return new ConsoleUsers(next);
    }

    public List<User> all() {
        return List.copyOf(users.values());
    }

    /** The user, when the name and password match; in constant work whether or not the name exists. */
    public Optional<User> authenticate(String name, String password) {
        User u = name == null ? null : users.get(name);
        boolean ok = password != null && BCRYPT.matches(password, u != null ? u.passwordHash() : DECOY);
        return ok && u != null ? Optional.of(u) : Optional.empty();
    }

    /** A bcrypt hash of a new password, refusing one too short to resist guessing. */
    public static String hash(String password) {
        if (password == null || password.length() < MIN_PASSWORD) {
            throw new GovernanceException("a password has at least " + MIN_PASSWORD + " characters");
        }
        return BCRYPT.encode(password);
    }

    private static void check(User u) {
        if (u.name() == null || !NAME.matcher(u.name()).matches()) {
            throw new GovernanceException("a user name is 1 to 64 letters, digits or . _ @ -, not " + u.name());
        }
        if (u.role() == null) {
            throw new GovernanceException("user " + u.name() + " has no role (OFFICER, SUPERVISOR or ANALYST)");
        }
        if (u.passwordHash() == null || !u.passwordHash().matches("\\$2[aby]?\\$\\d\\d\\$[./A-Za-z0-9]{53}")) {
            throw new GovernanceException("user " + u.name() + " has no bcrypt password_hash (./lfr console user makes one)");
        }
        if (u.deployments().stream().anyMatch(d -> d == null || d.isBlank())) {
            throw new GovernanceException("user " + u.name() + " lists an empty deployment id");
        }
    }

    private static String firstLine(String s) {
        return s == null ? "unreadable" : s.lines().findFirst().orElse(s);
    }

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true)
            .setSerializationInclusion(JsonInclude.Include.NON_NULL);

    static final class UsersFile {
        public List<UserEntry> users;
    }

    static final class UserEntry {
        public String name;
        public Role role;
        @JsonProperty("password_hash")
        public String passwordHash;
        public List<String> deployments;
    }
}
