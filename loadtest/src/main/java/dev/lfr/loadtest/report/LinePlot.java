package dev.lfr.loadtest.report;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** One line as a PNG (XChart), the form of every plot in the reports. An empty series is drawn as a single point. */
public final class LinePlot {
    private LinePlot() {}

    public static void write(Path png, String title, String xTitle, String yTitle, List<Double> x, List<Double> y,
                             boolean logAxes) throws IOException {
        XYChart chart = new XYChartBuilder().width(800).height(logAxes ? 600 : 500).title(title)
                .xAxisTitle(xTitle).yAxisTitle(yTitle).build();
        chart.getStyler().setLegendVisible(false);
        if (logAxes) {
            chart.getStyler().setXAxisLogarithmic(true).setYAxisLogarithmic(true);
        }
        boolean empty = x.isEmpty();
        chart.addSeries("series", empty ? List.of(1.0) : x, empty ? List.of(1.0) : y).setMarker(SeriesMarkers.NONE);
        BitmapEncoder.saveBitmap(chart, png.toString(), BitmapEncoder.BitmapFormat.PNG);
    }
}
