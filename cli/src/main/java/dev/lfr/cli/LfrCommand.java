package dev.lfr.cli;

import java.io.PrintWriter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** What every subcommand shares: its picocli spec, the output stream, and usage for command groups. */
abstract class LfrCommand {
    @Spec
    CommandSpec spec;

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    /** For a command that only groups subcommands: running it alone prints its usage. */
    Integer usage() {
        spec.commandLine().usage(out());
        return 0;
    }
}
