package dev.lfr.cli;

import dev.lfr.jobs.sql.AnalystSql;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "sql", description = {
        "Run one of the analysts' example queries over what the alert and metric topics hold now, and print a table.",
        "The same DDL and queries run continuously in the Flink SQL client: see docs/sql.md."})
final class SqlCommand extends LfrCommand implements Callable<Integer> {
    @Option(names = "--bootstrap", paramLabel = "HOST:PORT", required = true, description = "Kafka bootstrap servers")
    String bootstrap;

    @Option(names = "--query", paramLabel = "NAME", required = true,
            description = "alerts_per_deployment_per_hour | false_alert_rate_per_deployment | latest_alert_per_walk_past")
    String query;

    @Override
    public Integer call() {
        String sql;
        try {
            sql = AnalystSql.query(query);
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage());
        }
        try {
            AnalystSql.snapshot(bootstrap, sql).tsv().forEach(out()::println);
            out().flush();
        } catch (Exception e) {
            throw new UserError("query " + query + " failed against " + bootstrap + ": " + Lfr.oneLine(e));
        }
        return 0;
    }
}
