package dev.lfr.cli;

import dev.lfr.jobs.sql.AnalystSql;
import java.util.concurrent.Callable;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.TableResult;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;
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
        TableEnvironment tables = TableEnvironment.create(EnvironmentSettings.inBatchMode());
        for (String ddl : AnalystSql.tables(bootstrap)) {
            tables.executeSql(ddl);
        }
        // a snapshot: read up to the offsets current now, then stop
        tables.executeSql("ALTER TABLE lfr_alerts SET ('scan.bounded.mode' = 'latest-offset')");
        tables.executeSql("ALTER TABLE lfr_metrics SET ('scan.bounded.mode' = 'latest-offset')");
        try {
            TableResult result = tables.executeSql(sql);
            out().println(String.join("\t", result.getResolvedSchema().getColumnNames()));
            try (CloseableIterator<Row> rows = result.collect()) {
                while (rows.hasNext()) {
                    Row r = rows.next();
                    StringBuilder line = new StringBuilder();
                    for (int i = 0; i < r.getArity(); i++) {
                        Object v = r.getField(i);
                        line.append(i == 0 ? "" : "\t")
                                .append(v instanceof Object[] array ? java.util.Arrays.toString(array) : String.valueOf(v));
                    }
                    out().println(line);
                }
            }
            out().flush();
        } catch (Exception e) {
            throw new UserError("query " + query + " failed against " + bootstrap + ": " + Lfr.oneLine(e));
        }
        return 0;
    }
}
