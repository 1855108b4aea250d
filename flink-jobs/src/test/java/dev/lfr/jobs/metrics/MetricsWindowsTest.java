package dev.lfr.jobs.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lfr.schemas.DeploymentMetrics;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class MetricsWindowsTest {
    private KeyedOneInputStreamOperatorTestHarness<String, MetricEvent, DeploymentMetrics> harness;

    @BeforeEach
    void open() throws Exception {
        harness = ProcessFunctionTestHarnesses.forKeyedProcessFunction(new MetricsWindows(Duration.ofSeconds(60)),
                MetricEvent::deployment, Types.STRING);
    }

    private void feed(MetricEvent e) throws Exception {
        harness.processElement(e, e.timeMs());
    }

    @Test
    void sumsPerCameraAndForAllCamerasWithTheRates() throws Exception {
        feed(MetricEvent.frame("d1", "cam-a", 1_000, 4, 2, 1, 1)); // one face screened near the threshold
        feed(MetricEvent.frame("d1", "cam-a", 2_000, 3, 1, 0, 16)); // tiles searched too
        feed(MetricEvent.frame("d1", "cam-b", 3_000, 1, 1, 0, 1));
        feed(MetricEvent.unsearchedFrame("d1", "cam-b", 3_200)); // between detector passes
        feed(MetricEvent.alert("d1", "cam-a", 2_000));
        feed(MetricEvent.alert("d1", "cam-b", 3_000));
        feed(MetricEvent.adjudication("d1", "cam-a", 30_000, 1, 0));
        feed(MetricEvent.adjudication("d1", "cam-b", 40_000, 0, 1));
        feed(MetricEvent.frame("d1", "cam-a", 61_000, 1, 1, 0, 1)); // the next window
        harness.processWatermark(59_998);
        assertThat(harness.extractOutputValues()).isEmpty();
        harness.processWatermark(59_999);

        List<DeploymentMetrics> out = harness.extractOutputValues();
        assertThat(out).hasSize(3);
        DeploymentMetrics all = out.stream().filter(m -> m.getCamera() == null).findFirst().orElseThrow();
        assertThat(all.getWindowStart().toEpochMilli()).isZero();
        assertThat(all.getWindowEnd().toEpochMilli()).isEqualTo(60_000);
        assertThat(all.getFrames()).isEqualTo(4);
        assertThat(all.getFramesDetected()).isEqualTo(3);
        assertThat(all.getDetectorPasses()).isEqualTo(18);
        assertThat(all.getFacesDetected()).isEqualTo(8);
        assertThat(all.getFacesSearched()).isEqualTo(4);
        assertThat(all.getFacesRescored()).isEqualTo(1);
        assertThat(all.getAlerts()).isEqualTo(2);
        assertThat(all.getAdjudicatedTrue()).isEqualTo(1);
        assertThat(all.getAdjudicatedFalse()).isEqualTo(1);
        assertThat(all.getFalseAlertRatePerFace()).isEqualTo(0.25);
        assertThat(all.getFalseAlertRatePerAlert()).isEqualTo(0.5);
        DeploymentMetrics camA = out.stream().filter(m -> "cam-a".equals(m.getCamera())).findFirst().orElseThrow();
        assertThat(camA.getFrames()).isEqualTo(2);
        assertThat(camA.getFalseAlertRatePerFace()).isEqualTo(0.0);
        assertThat(camA.getFalseAlertRatePerAlert()).isEqualTo(0.0);
        // the open second window's counts, the end of the published window, the quiet-deployment timer
        assertThat(harness.numKeyedStateEntries()).isEqualTo(3);
    }

    @Test
    void ratesAreNullWithoutSearchesOrVerdictsAndLateEventsCountInTheCurrentWindow() throws Exception {
        feed(MetricEvent.frame("d1", "cam-a", 1_000, 0, 0, 0, 1));
        harness.processWatermark(59_999);
        DeploymentMetrics first = harness.extractOutputValues().get(0);
        assertThat(first.getFalseAlertRatePerFace()).isNull();
        assertThat(first.getFalseAlertRatePerAlert()).isNull();

        harness.processWatermark(130_000);
        feed(MetricEvent.adjudication("d1", "cam-a", 10_000, 0, 1)); // adjudicated long after its window closed
        harness.processWatermark(179_999);
        List<DeploymentMetrics> out = harness.extractOutputValues();
        DeploymentMetrics late = out.get(out.size() - 1);
        assertThat(late.getWindowStart().toEpochMilli()).isEqualTo(120_000);
        assertThat(late.getAdjudicatedFalse()).isEqualTo(1);
        assertThat(harness.numKeyedStateEntries()).as("no counts left: the published mark and the timer").isEqualTo(2);
    }

    @Test
    void aDeploymentThatGoesQuietStillPublishesItsLastWindowOnceAndLaterEventsMoveOn() throws Exception {
        feed(MetricEvent.frame("d1", "cam-a", 1_000, 2, 1, 0, 1));
        feed(MetricEvent.frame("d1", "cam-a", 70_000, 2, 1, 0, 1)); // window [60 s, 120 s) stays open: event time stops
        harness.processWatermark(69_500);
        assertThat(harness.extractOutputValues()).hasSize(2); // [0, 60 s): cam-a and all cameras
        harness.setProcessingTime(119_000); // less than two window lengths without an event
        assertThat(harness.extractOutputValues()).hasSize(2);
        harness.setProcessingTime(122_000);
        List<DeploymentMetrics> out = harness.extractOutputValues();
        assertThat(out).hasSize(4);
        assertThat(out.get(3).getWindowStart().toEpochMilli()).isEqualTo(60_000);
        assertThat(out.get(3).getFrames()).isEqualTo(1);
        assertThat(harness.numEventTimeTimers()).as("the published window's end timer is gone with it").isZero();
        // a straggler for the published window counts in the next one instead of republishing it
        feed(MetricEvent.frame("d1", "cam-a", 71_000, 2, 1, 0, 1));
        harness.processWatermark(179_999);
        List<DeploymentMetrics> after = harness.extractOutputValues();
        assertThat(after).hasSize(6);
        assertThat(after.get(5).getWindowStart().toEpochMilli()).isEqualTo(120_000);
        assertThat(harness.numKeyedStateEntries()).as("only the published mark and the pending timer remain").isEqualTo(2);
    }
}
