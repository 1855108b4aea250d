package dev.lfr.cli;

import dev.lfr.udfs.image.ImageDecodeException;
import dev.lfr.udfs.model.ModelInstallException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code ./lfr}: the one entry point for users. Errors are one line on stderr and a non-zero exit code. */
@Command(name = "lfr", mixinStandardHelpOptions = true, scope = CommandLine.ScopeType.INHERIT, version = "lfr 0.1.0",
        description = "Live facial recognition on Apache Flink: face engine, evaluation and tools.",
        subcommands = {DemoCommand.class, ReplayCommand.class, DetectCommand.class, CompareCommand.class, EmbedCommand.class,
                ModelsCommand.class, DeploymentCommand.class, WatchlistCommand.class, AlertsCommand.class, AuditCommand.class,
                RetentionCommand.class, ReportCommand.class, SqlCommand.class, EvalCommand.class, CalibrateCommand.class, BenchCommand.class,
                ClusterCommand.class, JobCommand.class, ConsoleCommand.class, GatewayCommand.class,
                CommandLine.HelpCommand.class})
public final class Lfr {
    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs a command line with the given streams; returns the exit code. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new Lfr());
        cl.setOut(out);
        cl.setErr(err);
        cl.setParameterExceptionHandler((e, a) -> {
            err.println("lfr: " + e.getMessage() + " (see: lfr " + commandPath(e.getCommandLine()) + " --help)");
            return 2;
        });
        cl.setExecutionExceptionHandler((e, c, parsed) -> {
            err.println("lfr: " + oneLine(e));
            return 1;
        });
        return cl.execute(args);
    }

    private static String commandPath(CommandLine c) {
        String q = c.getCommandSpec().qualifiedName(" ");
        return q.startsWith("lfr ") ? q.substring(4) : "";
    }

    static String oneLine(Throwable e) {
        if (e instanceof UserError || e instanceof ModelInstallException || e instanceof dev.lfr.cluster.ClusterException
                || e instanceof dev.lfr.governance.GovernanceException || e instanceof dev.lfr.gateway.GatewayException) {
            return e.getMessage();
        }
        if (e instanceof ImageDecodeException d) {
            return "cannot decode image: " + d.getMessage();
        }
        if (e instanceof NoSuchFileException f) {
            return "no such file: " + f.getFile();
        }
        if (e instanceof UncheckedIOException u) {
            return oneLine(u.getCause());
        }
        if (e instanceof IOException) {
            return e.getClass().getSimpleName() + ": " + e.getMessage();
        }
        String msg = e.getMessage();
        return e.getClass().getSimpleName() + (msg == null ? "" : ": " + msg.lines().findFirst().orElse(""));
    }
}
