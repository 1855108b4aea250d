package dev.lfr.jobs.sql;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

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
