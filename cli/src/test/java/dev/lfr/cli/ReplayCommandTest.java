package dev.lfr.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./lfr replay} end to end on this machine: the sample faces (no shared data needed) walk past two cameras,
 * the job runs on an in-process broker and MiniCluster, and the report is scored against the written ground truth.
 */
class ReplayCommandTest {

    @Test
    void replaysWalkPastsAndWritesAReportScoredAgainstTheGroundTruth(@TempDir Path out) throws Exception {
        LfrCommandLineTest.Run r = LfrCommandLineTest.lfr("replay", "--cameras", "2", "--fps", "4", "--duration", "6",
                "--faces", "2", "--size", "640x360", "--drain", "30", "--prerender", "--out", out.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.lines()).anyMatch(l -> l.startsWith("rendered 48 frames ahead in "));
        assertThat(out.resolve("frames.prerendered")).doesNotExist(); // deleted with the replay
        JsonNode report = new ObjectMapper().readTree(out.resolve("report.json").toFile());
        assertThat(report.at("/throughput/sender_cores").asDouble()).isBetween(0.0, 1.0);
        assertThat(report.at("/throughput/job_restarts").isInt()).as("counted, as the local job runs here").isTrue();
        assertThat(report.at("/throughput/job_restarts").asInt()).isZero();
        assertThat(report.has("refused_frames")).as("no frame refused").isFalse();
        assertThat(report.at("/throughput/frames").asInt()).isEqualTo(48); // 2 cameras x 4 fps x 6 s
        assertThat(report.at("/throughput/offered_fps").asDouble()).isEqualTo(8.0);
        // paced: the achieved rate cannot exceed the offered one by more than the first step's head start
        assertThat(report.at("/throughput/achieved_fps").asDouble()).isBetween(6.0, 9.5);
        List<String> truth = Files.readAllLines(out.resolve("truth.jsonl"));
        assertThat(truth).hasSize(96); // two faces in every frame
        assertThat(new ObjectMapper().readTree(truth.get(0)).fieldNames()).toIterable()
                .contains("walkId", "identity", "camera", "timeMs", "x", "y", "width", "height");
        JsonNode gt = report.get("ground_truth");
        assertThat(gt.get("enrolled_walk_pasts").asInt()).isPositive();
        assertThat(gt.get("alerts").asInt()).isEqualTo(gt.get("true_alerts").asInt() + gt.get("false_alerts").asInt());
        assertThat(gt.get("true_alerts").asInt()).as("the sample faces are enrolled from the photo they walk past with")
                .isPositive();
        assertThat(gt.get("faces").asInt()).isEqualTo(96);
        assertThat(report.at("/latency/count").asInt()).isEqualTo(gt.get("alerts").asInt());
        assertThat(report.get("lag")).isNotEmpty();
        // from the job's own metric windows, the last one waited for
        JsonNode counts = report.get("job_counts");
        assertThat(counts.get("windows").asInt()).isPositive()
                .isLessThanOrEqualTo(report.at("/metrics_delay/windows").asInt());
        assertThat(counts.get("frames").asInt()).as("each frame counted once").isEqualTo(48);
        assertThat(counts.get("faces_searched").asInt()).isLessThanOrEqualTo(counts.get("faces_detected").asInt());
        assertThat(counts.get("detector_passes").asInt()).as("no tiles: one pass a searched frame")
                .isEqualTo(counts.get("frames_detected").asInt());
        assertThat(counts.get("faces_rescored").asInt()).as("no screening: no face embedded twice").isZero();
        for (String png : List.of("latency_cdf.png", "lag.png")) {
            assertThat(Files.readAllBytes(out.resolve(png))).startsWith(0x89, 'P', 'N', 'G');
        }
        assertThat(r.lines()).anyMatch(l -> l.startsWith("ALERT "));
        // the replay's deployment went through the governed lifecycle and ended with its post-deployment report
        assertThat(out.resolve("deployment/report.md")).content().contains("| purpose | load-test |", "(ENDED)",
                "| alerts | " + gt.get("alerts").asInt() + " |");
    }

    @Test
    void replaysAFolderOfPhotosAgainstTheSampleWatchlistWithTilesAndScreening(@TempDir Path out) throws Exception {
        Path photos = dev.lfr.udfs.model.ModelStore.ensureDefault().samples().get(0).getParent();
        LfrCommandLineTest.Run r = LfrCommandLineTest.lfr("replay", "--images", photos.toString(), "--cameras", "1",
                "--fps", "4", "--duration", "3", "--drain", "30", "--job-option", "detection.every=2", "--job-option",
                "detector.tile-size=384", "--job-option", "embedding.screening-model=fr-feature-512-int8",
                "--job-option", "embedding.screening-margin=1", "--out", out.toString());
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode report = new ObjectMapper().readTree(out.resolve("report.json").toFile());
        assertThat(report.at("/throughput/frames").asInt()).isEqualTo(12);
        // screened with a margin of 1: every searched face is embedded again, counted through lfr.metrics
        assertThat(report.at("/job_counts/faces_searched").asInt()).isPositive();
        assertThat(report.at("/job_counts/faces_rescored").asInt()).isEqualTo(report.at("/job_counts/faces_searched").asInt());
        assertThat(report.at("/job_counts/frames").asInt()).isEqualTo(12);
        assertThat(report.at("/job_counts/frames_detected").asInt()).as("the detector on every other frame")
                .isBetween(6, 7);
        // tiles where the scene changed: each photo differs from the one before, so most of a frame's 35 tiles
        int detected = report.at("/job_counts/frames_detected").asInt();
        assertThat(report.at("/job_counts/detector_passes").asInt()).isGreaterThan(detected)
                .isLessThanOrEqualTo(detected * (1 + 35));
        // unlabelled photos: no ground truth, but the faces enrolled from them are found, though the detector
        // runs on every other frame only
        assertThat(r.lines()).anyMatch(l -> l.startsWith("ALERT "));
    }

    @Test
    void framesTheJobRefusesAreCountedAndSaidNotLeftOut(@TempDir Path out) throws Exception {
        // sent as fast as possible, capture times still advance at --fps: 10 s ahead of the clock by the last frame,
        // against a job that refuses frames over 1 s ahead (a camera with a wrong clock)
        Path photos = dev.lfr.udfs.model.ModelStore.ensureDefault().samples().get(0).getParent();
        LfrCommandLineTest.Run r = LfrCommandLineTest.lfr("replay", "--images", photos.toString(), "--cameras", "1",
                "--fps", "4", "--duration", "10", "--max-rate", "--drain", "30", "--job-option",
                "input.max-clock-ahead=1 s", "--out", out.toString());
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode report = new ObjectMapper().readTree(out.resolve("report.json").toFile());
        long refused = report.at("/refused_frames/frames").asLong();
        assertThat(refused).as("at least the frames sent 5 s or more ahead").isGreaterThanOrEqualTo(20);
        assertThat(report.at("/refused_frames/by_reason/CLOCK_SKEW").asLong()).isEqualTo(refused);
        assertThat(report.at("/job_counts/frames").asLong() + refused).as("every frame used or refused")
                .isEqualTo(40);
        assertThat(r.lines()).anyMatch(l -> l.startsWith("warning: the job refused " + refused + " of the 40 frames"));
        assertThat(out.resolve("report.md")).content().contains("**The job refused " + refused + " of the frames sent**");
    }

    @Test
    void badOptionsAreOneLineErrors(@TempDir Path out) {
        LfrCommandLineTest.Run both = LfrCommandLineTest.lfr("replay", "--video", "a.mp4", "--images", "b", "--out", out.toString());
        assertThat(both.err()).isEqualTo("lfr: choose one of --video and --images\n");
        LfrCommandLineTest.Run size = LfrCommandLineTest.lfr("replay", "--size", "big", "--out", out.toString());
        assertThat(size.code()).isNotZero();
        assertThat(size.err()).startsWith("lfr: --size is WIDTHxHEIGHT").hasLineCount(1);
    }
}
