package dev.lfr.cli;

import dev.lfr.governance.report.DeploymentReport;
import dev.lfr.governance.report.ReportSources;
import dev.lfr.governance.report.ReportWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "report", description = "Reports for publication", subcommands = {ReportCommand.OfDeployment.class})
final class ReportCommand extends LfrCommand.Group {
    @Command(name = "deployment", description = {"The post-deployment report: place, times, authorisation, watchlist size, faces",
            "searched, alerts and verdicts, false-alert rates, alert latency and deletion evidence, as report.md,",
            "report.html and PNG charts in --out"})
    static final class OfDeployment extends LfrCommand implements Callable<Integer> {
        @Mixin
        Governed governed;

        @Parameters(paramLabel = "ID", description = "deployment id")
        String id;

        @Option(names = "--out", paramLabel = "DIR", required = true)
        Path out;

        @Override
        public Integer call() throws Exception {
            DeploymentReport r = ReportSources.read(governed.bootstrap, DeploymentCommand.registry(governed).get(id));
            ReportWriter.write(r, out);
            out().printf("%s: %d faces searched, %d alerts (%d confirmed, %d false, %d no action, %d not adjudicated); wrote %s%n",
                    id, r.facesSearched(), r.alerts(), r.confirmed(), r.falseAlerts(), r.noAction(), r.notAdjudicated(),
                    out.resolve("report.md"));
            return 0;
        }
    }
}
