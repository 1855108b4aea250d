package dev.lfr.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
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

    /** A warning: one line on stderr, the command goes on. */
    void warn(String message) {
        spec.commandLine().getErr().println("lfr: warning: " + message);
    }

    /** Prints a report record as one line of JSON with snake_case keys. */
    void printJson(Object report) throws JsonProcessingException {
        out().println(JSON.writeValueAsString(report));
    }

    private static final ObjectMapper JSON = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);

    /** For a command that only groups subcommands: running it alone prints its usage. */
    Integer usage() {
        spec.commandLine().usage(out());
        return 0;
    }

    /** A command that only groups subcommands: run alone, it prints its usage. */
    abstract static class Group extends LfrCommand implements java.util.concurrent.Callable<Integer> {
        @Override
        public Integer call() {
            return usage();
        }
    }
}
