package dev.lfr.governance.report;

import dev.lfr.schemas.AuditRecord;
import dev.lfr.schemas.Deployment;
import dev.lfr.schemas.DeploymentMetrics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;

/** Writes a {@link DeploymentReport} as report.md, report.html and two PNG charts into one folder. */
public final class ReportWriter {
    public static final String ACTIVITY_PNG = "activity.png";
    public static final String VERDICTS_PNG = "verdicts.png";

    private ReportWriter() {}

    public static void write(DeploymentReport r, Path dir) throws IOException {
        Files.createDirectories(dir);
        activityChart(r, dir.resolve(ACTIVITY_PNG));
        verdictChart(r, dir.resolve(VERDICTS_PNG));
        List<String[]> rows = rows(r);
        StringBuilder md = new StringBuilder("# Deployment " + r.deployment().getId() + "\n\n| | |\n|---|---|\n");
        rows.forEach(row -> md.append("| ").append(row[0]).append(" | ").append(row[1].replace("|", "\\|")).append(" |\n"));
        md.append("\n## Deletion evidence\n\n");
        if (r.deletions().isEmpty()) {
            md.append("No deletion is recorded yet.\n");
        } else {
            md.append("| time | action | by | what | why |\n|---|---|---|---|---|\n");
            r.deletions().forEach(a -> md.append("| ").append(a.getTime()).append(" | ").append(a.getAction()).append(" | ")
                    .append(a.getActor()).append(" | ").append(a.getWhat().replace("|", "\\|")).append(" | ")
                    .append(a.getWhy().replace("|", "\\|")).append(" |\n"));
        }
        md.append("\n![activity](").append(ACTIVITY_PNG).append(")\n\n![verdicts](").append(VERDICTS_PNG).append(")\n");
        Files.writeString(dir.resolve("report.md"), md);

        StringBuilder html = new StringBuilder("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Deployment ")
                .append(esc(r.deployment().getId())).append("</title></head><body>\n<h1>Deployment ")
                .append(esc(r.deployment().getId())).append("</h1>\n<table>\n");
        rows.forEach(row -> html.append("<tr><th>").append(esc(row[0])).append("</th><td>").append(esc(row[1])).append("</td></tr>\n"));
        html.append("</table>\n<h2>Deletion evidence</h2>\n<table>\n<tr><th>time</th><th>action</th><th>by</th><th>what</th><th>why</th></tr>\n");
        for (AuditRecord a : r.deletions()) {
            html.append("<tr><td>").append(a.getTime()).append("</td><td>").append(a.getAction()).append("</td><td>")
                    .append(esc(a.getActor())).append("</td><td>").append(esc(a.getWhat())).append("</td><td>")
                    .append(esc(a.getWhy())).append("</td></tr>\n");
        }
        html.append("</table>\n<img src=\"").append(ACTIVITY_PNG).append("\" alt=\"faces searched and alerts per window\">\n<img src=\"")
                .append(VERDICTS_PNG).append("\" alt=\"verdicts\">\n</body></html>\n");
        Files.writeString(dir.resolve("report.html"), html);
    }

    /** The report's table: label and value. */
    static List<String[]> rows(DeploymentReport r) {
        Deployment d = r.deployment();
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"purpose", String.valueOf(d.getPurpose())});
        rows.add(new String[] {"place", d.getLocation() == null ? "not recorded" : d.getLocation().getName() + " ("
                + d.getLocation().getLatitude() + ", " + d.getLocation().getLongitude() + ")"});
        rows.add(new String[] {"cameras", String.join(", ", d.getCameras())});
        rows.add(new String[] {"planned window", d.getStart() + " to " + d.getEnd()});
        rows.add(new String[] {"activated", String.valueOf(d.getActivatedAt())});
        rows.add(new String[] {"ended", d.getEndedAt() == null ? "not ended" : d.getEndedAt() + " (" + d.getStatus() + ")"});
        rows.add(new String[] {"authorisation", d.getAuthorisationRef() + " by " + d.getAuthorisedBy() + " at " + d.getAuthorisedAt()});
        rows.add(new String[] {"watchlist", d.getWatchlist() + " version " + d.getWatchlistVersion() + ", "
                + d.getWatchlistSize() + " subjects at activation"});
        rows.add(new String[] {"threshold", String.valueOf(d.getThreshold())});
        rows.add(new String[] {"two-person verification", d.getTwoPersonVerification() ? "on" : "off"});
        rows.add(new String[] {"frames", String.valueOf(r.frames())});
        rows.add(new String[] {"faces detected", String.valueOf(r.facesDetected())});
        rows.add(new String[] {"faces searched", String.valueOf(r.facesSearched())});
        rows.add(new String[] {"alerts", String.valueOf(r.alerts())});
        rows.add(new String[] {"confirmed", String.valueOf(r.confirmed())});
        rows.add(new String[] {"false alerts", String.valueOf(r.falseAlerts())});
        rows.add(new String[] {"no action", String.valueOf(r.noAction())});
        rows.add(new String[] {"not adjudicated", String.valueOf(r.notAdjudicated())});
        rows.add(new String[] {"false-alert rate per face searched", rate(r.falseAlertRatePerFace())});
        rows.add(new String[] {"false-alert rate per judged alert", rate(r.falseAlertRatePerAlert())});
        rows.add(new String[] {"alert latency p50 / p95 / max", ms(r.latency(0.5)) + " / " + ms(r.latency(0.95)) + " / " + ms(r.latency(1))});
        return rows;
    }

    private static String rate(Double v) {
        return v == null ? "n/a" : String.format(Locale.ROOT, "%.3g", v);
    }

    private static String ms(Duration d) {
        return d == null ? "n/a" : d.toMillis() + " ms";
    }

    private static void activityChart(DeploymentReport r, Path png) throws IOException {
        XYChart chart = new XYChartBuilder().width(800).height(400).title("Faces searched and alerts per window")
                .xAxisTitle("window start").yAxisTitle("count").build();
        List<Date> x = new ArrayList<>();
        List<Long> faces = new ArrayList<>();
        List<Long> alerts = new ArrayList<>();
        for (DeploymentMetrics m : r.window()) {
            x.add(Date.from(m.getWindowStart()));
            faces.add(m.getFacesSearched());
            alerts.add(m.getAlerts());
        }
        if (x.isEmpty()) { // XChart refuses an empty series
            x.add(Date.from(r.deployment().getStart()));
            faces.add(0L);
            alerts.add(0L);
        }
        chart.addSeries("faces searched", x, faces);
        chart.addSeries("alerts", x, alerts);
        BitmapEncoder.saveBitmap(chart, png.toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    private static void verdictChart(DeploymentReport r, Path png) throws IOException {
        CategoryChart chart = new CategoryChartBuilder().width(600).height(400).title("Alerts by verdict").yAxisTitle("alerts").build();
        chart.getStyler().setLegendVisible(false);
        chart.addSeries("alerts", List.of("confirmed", "false alert", "no action", "not adjudicated"),
                List.of(r.confirmed(), r.falseAlerts(), r.noAction(), r.notAdjudicated()));
        BitmapEncoder.saveBitmap(chart, png.toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
