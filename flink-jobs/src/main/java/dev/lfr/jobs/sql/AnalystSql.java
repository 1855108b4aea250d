package dev.lfr.jobs.sql;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.TableResult;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;

/**
 * The analysts' SQL that ships in {@code sql/}: table DDL over the alert and metric topics, and the example queries.
 * The same text is documented for the Flink SQL client (docs/sql.md) and run by {@code ./lfr sql} and the tests.
 */
public final class AnalystSql {
    /** The example queries, by name (the file name without {@code .sql}). */
    public static final List<String> QUERIES = List.of(
            "alerts_per_deployment_per_hour", "false_alert_rate_per_deployment", "latest_alert_per_walk_past");

    private AnalystSql() {}

    /** The CREATE TABLE statements, one per element, for a broker at {@code bootstrap}. */
    public static List<String> tables(String bootstrap) {
        List<String> statements = new ArrayList<>();
        for (String s : withoutComments(read("tables.sql")).split(";")) {
            if (!s.isBlank()) {
                statements.add(s.strip().replace("${bootstrap}", bootstrap));
            }
        }
        return statements;
    }

    /** The text of one example query. */
    public static String query(String name) {
        if (!QUERIES.contains(name)) {
            throw new IllegalArgumentException("no query " + name + "; there are " + String.join(", ", QUERIES));
        }
        return withoutComments(read(name + ".sql")).strip();
    }

    /**
     * What a query returns over what the topics hold now: the tables are read up to their latest offsets, then the
     * read stops.
     *
     * @param columns the result's column names
     * @param rows    its rows
     */
    public record Snapshot(List<String> columns, List<Row> rows) {
        /** Tab-separated: the column names, then a line a row. */
        public List<String> tsv() {
            List<String> lines = new ArrayList<>(List.of(String.join("\t", columns)));
            for (Row r : rows) {
                StringBuilder line = new StringBuilder();
                for (int i = 0; i < r.getArity(); i++) {
                    Object v = r.getField(i);
                    line.append(i == 0 ? "" : "\t").append(v instanceof Object[] array ? Arrays.toString(array) : String.valueOf(v));
                }
                lines.add(line.toString());
            }
            return lines;
        }
    }

    /** Runs {@code sql} (an example query's text, or one of the analyst's own) in batch over the topics at {@code bootstrap}. */
    public static Snapshot snapshot(String bootstrap, String sql) throws Exception {
        TableEnvironment tables = TableEnvironment.create(EnvironmentSettings.inBatchMode());
        for (String ddl : tables(bootstrap)) {
            tables.executeSql(ddl);
        }
        tables.executeSql("ALTER TABLE lfr_alerts SET ('scan.bounded.mode' = 'latest-offset')");
        tables.executeSql("ALTER TABLE lfr_metrics SET ('scan.bounded.mode' = 'latest-offset')");
        TableResult result = tables.executeSql(sql);
        List<Row> rows = new ArrayList<>();
        try (CloseableIterator<Row> it = result.collect()) {
            it.forEachRemaining(rows::add);
        }
        return new Snapshot(result.getResolvedSchema().getColumnNames(), rows);
    }

    private static String withoutComments(String sql) {
        return String.join("\n", Arrays.stream(sql.split("\n")).filter(l -> !l.strip().startsWith("--")).toList());
    }

    private static String read(String file) {
        try (InputStream in = AnalystSql.class.getResourceAsStream("/sql/" + file)) {
            if (in == null) {
                throw new IllegalStateException("sql/" + file + " is missing from the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
