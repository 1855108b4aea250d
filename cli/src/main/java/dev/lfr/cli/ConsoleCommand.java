package dev.lfr.cli;

import dev.lfr.console.ConsoleServer;
import dev.lfr.console.access.ConsoleUsers;
import dev.lfr.console.access.Role;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "console", description = {"Serve the officer console: live alerts, side-by-side review, verdicts, the dashboard.",
        "Open the printed URL in a browser; users and roles come from --users (make them with: console user)."},
        subcommands = {ConsoleCommand.UserCommand.class})
final class ConsoleCommand extends LfrCommand implements Callable<Integer> {
    // a group, not a mixin: its required --bootstrap must not be required of ./lfr console user
    @ArgGroup(exclusive = false, multiplicity = "0..1")
    Governed governed;

    @Option(names = "--users", paramLabel = "FILE", description = "the users file (YAML, bcrypt hashes); required")
    Path users;

    @Option(names = "--port", paramLabel = "P", description = "the port (default ${DEFAULT-VALUE}; 0 picks a free one)")
    int port = 8080;

    @Option(names = "--host", paramLabel = "ADDR", description = {"where to listen (default ${DEFAULT-VALUE}: this machine only;",
            "elsewhere, put a TLS proxy in front and pass --secure-cookies)"})
    String host = "127.0.0.1";

    @Option(names = "--secure-cookies", description = "send the session cookie over HTTPS only")
    boolean secureCookies;

    @Option(names = "--session-idle", paramLabel = "DURATION", converter = Governed.DurationArg.class,
            description = "log a user out after this long without a request (default 30min)")
    Duration sessionIdle = Duration.ofMinutes(30);

    @Override
    public Integer call() throws Exception {
        if (governed == null || users == null) {
            throw new UserError("console needs --bootstrap and --users (see: lfr console --help)");
        }
        if (port < 0 || port > 65535) {
            throw new UserError("--port is between 0 and 65535, not " + port);
        }
        try (ConsoleServer server = start(governed, ConsoleUsers.read(users),
                new ConsoleServer.Settings(host, port, sessionIdle, secureCookies))) {
            out().println("console at " + server.url() + " (Ctrl-C to stop)");
            new CountDownLatch(1).await(); // serves until the process is stopped
        }
        return 0;
    }

    /** Starts a console on the governed broker, saying in one line why it could not. */
    static ConsoleServer start(Governed governed, ConsoleUsers users, ConsoleServer.Settings settings) throws InterruptedException {
        try {
            return ConsoleServer.start(settings, governed.bootstrap, governed.policy(), governed.images(), users);
        } catch (io.javalin.util.JavalinBindException e) {
            throw new UserError("cannot listen on " + settings.host() + ":" + settings.port() + " (in use?): choose another --port");
        }
    }

    @Command(name = "user", description = {"Add a console user, or replace one of the same name, in a users file.",
            "The password is read from the terminal (or one line of standard input) and stored as a bcrypt hash."})
    static final class UserCommand extends LfrCommand implements Callable<Integer> {
        @Option(names = "--users", paramLabel = "FILE", required = true, description = "the users file (created if missing)")
        Path users;

        @Option(names = "--name", paramLabel = "NAME", required = true, description = "the login name, e.g. a collar number")
        String name;

        @Option(names = "--role", paramLabel = "ROLE", required = true,
                description = "OFFICER (reviews alerts), SUPERVISOR (also reports) or ANALYST (metrics only, never a face)")
        Role role;

        @Option(names = "--deployments", paramLabel = "ID", split = ",", required = true,
                description = "the deployments the user may see (comma-separated), or * for all")
        List<String> deployments;

        @Override
        public Integer call() throws Exception {
            String password = readPassword();
            ConsoleUsers existing = Files.exists(users) ? ConsoleUsers.read(users) : ConsoleUsers.of(List.of());
            existing.with(new ConsoleUsers.User(name, role, ConsoleUsers.hash(password), List.copyOf(deployments))).write(users);
            out().println((existing.all().stream().anyMatch(u -> u.name().equals(name)) ? "replaced " : "added ") + name + " ("
                    + role + ", deployments " + String.join(",", deployments) + ") in " + users);
            return 0;
        }

        private String readPassword() throws Exception {
            java.io.Console terminal = System.console();
            if (terminal != null) {
                char[] first = terminal.readPassword("password for %s: ", name);
                char[] again = terminal.readPassword("again: ");
                if (first == null || !java.util.Arrays.equals(first, again)) {
                    throw new UserError("the two passwords differ");
                }
                return new String(first);
            }
            String line = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            if (line == null) {
                throw new UserError("no password on standard input");
            }
            return line;
        }
    }
}
