package dev.lfr.udfs.track;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lfr.udfs.detect.Box;
import dev.lfr.udfs.detect.Detection;
import dev.lfr.udfs.detect.Point;
import dev.lfr.udfs.quality.QualityReport;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class IouTrackerTest {
    private final IouTracker tracker = IouTracker.defaults();

    private static Detection face(double x, double y, double size) {
        return new Detection(new Box(x, y, size, size), 0.9, Collections.nCopies(6, new Point(x + size / 2, y + size / 2)));
    }

    private static QualityReport quality(double interEye) {
        return new QualityReport(interEye * 3, interEye, 300, 0, 0, 0.9);
    }

    private IouTracker.Step frame(IouTracker.Step prev, long t, List<Detection> faces, List<Double> eyes) {
        return frame(prev, t, faces, eyes, false);
    }

    /** A detector pass; with {@code scheduled}, the camera's frames between passes go undetected. */
    private IouTracker.Step frame(IouTracker.Step prev, long t, List<Detection> faces, List<Double> eyes,
                                  boolean scheduled) {
        List<QualityReport> q = eyes.stream().map(IouTrackerTest::quality).toList();
        return tracker.step(prev == null ? List.of() : prev.tracks(), prev == null ? 1 : prev.nextId(), t, faces, q,
                Collections.nCopies(faces.size(), true), scheduled);
    }

    @Test
    void aWalkPastKeepsOneTrackAndIsEmbeddedABoundedNumberOfTimes() {
        IouTracker.Step s = null;
        int embeds = 0;
        for (int i = 0; i < 50; i++) { // 2 s at 25 fps, moving 4 px a frame, slowly growing (getting closer)
            s = frame(s, i * 40L, List.of(face(100 + 4 * i, 200, 80 + i)), List.of(20.0 + i));
            assertThat(s.assignments()).hasSize(1);
            assertThat(s.assignments().get(0).trackId()).isEqualTo(1);
            embeds += s.assignments().get(0).embed() ? 1 : 0;
        }
        assertThat(embeds).isEqualTo(tracker.maxEmbeds());
        assertThat(s.tracks()).singleElement().satisfies(t -> assertThat(t.sightings()).isEqualTo(50));
    }

    @Test
    void reembedsOnlyWhenQualityClearlyImproves() {
        IouTracker.Step s = frame(null, 0, List.of(face(100, 100, 80)), List.of(40.0));
        assertThat(s.assignments().get(0).embed()).isTrue();
        s = frame(s, 40, List.of(face(102, 100, 80)), List.of(45.0)); // +12%: not enough
        assertThat(s.assignments().get(0).embed()).isFalse();
        s = frame(s, 80, List.of(face(104, 100, 80)), List.of(55.0)); // +37%
        assertThat(s.assignments().get(0).embed()).isTrue();
    }

    @Test
    void withReembedEveryAWalkPastsEmbedsAreSpreadOverItsViews() {
        IouTracker spread = new IouTracker(0.3, 1500, 4, 1.25, 3);
        IouTracker.Step s = null;
        List<Integer> embeddedAt = new ArrayList<>();
        for (int i = 0; i < 10; i++) { // ten frames of one face of steady quality: only the first is embedded by gain
            List<QualityReport> q = List.of(quality(30));
            s = spread.step(s == null ? List.of() : s.tracks(), s == null ? 1 : s.nextId(), i * 200L,
                    List.of(face(100 + 2 * i, 100, 80)), q, List.of(true));
            if (s.assignments().get(0).embed()) {
                embeddedAt.add(i);
            }
        }
        assertThat(embeddedAt).containsExactly(0, 3, 6, 9);
        IouTracker byQualityOnly = new IouTracker(0.3, 1500, 4, 1.25, 0);
        IouTracker.Step plain = null;
        int plainEmbeds = 0;
        for (int i = 0; i < 10; i++) {
            plain = byQualityOnly.step(plain == null ? List.of() : plain.tracks(), plain == null ? 1 : plain.nextId(),
                    i * 200L, List.of(face(100 + 2 * i, 100, 80)), List.of(quality(30)), List.of(true));
            plainEmbeds += plain.assignments().get(0).embed() ? 1 : 0;
        }
        assertThat(plainEmbeds).as("without it, a face of steady quality is embedded once").isEqualTo(1);
    }

    @Test
    void underDetectionSchedulingReembedEveryCountsFramesNotPasses() {
        IouTracker every3 = new IouTracker(0.3, 1500, 4, 1.25, 3);
        assertThat(every3.forSchedule(1)).isEqualTo(every3);
        assertThat(every3.forSchedule(3).reembedEvery()).as("each pass is three frames").isEqualTo(1);
        assertThat(every3.forSchedule(2).reembedEvery()).isEqualTo(2);
        assertThat(every3.forSchedule(10).reembedEvery()).as("at least every pass").isEqualTo(1);
        assertThat(new IouTracker(0.3, 1500, 4, 1.25, 0).forSchedule(3).reembedEvery()).as("off stays off").isZero();
        assertThat(every3.forSchedule(3).maxEmbeds()).isEqualTo(4);
    }

    @Test
    void twoPeopleGetTwoTracksAndUnusableFacesAreNeverEmbedded() {
        List<QualityReport> q = List.of(quality(30), quality(30));
        IouTracker.Step s = tracker.step(List.of(), 1, 0, List.of(face(100, 100, 80), face(600, 100, 80)), q,
                List.of(true, false));
        assertThat(s.assignments()).extracting(IouTracker.Assignment::trackId).containsExactly(1L, 2L);
        assertThat(s.assignments()).extracting(IouTracker.Assignment::embed).containsExactly(true, false);
        s = tracker.step(s.tracks(), s.nextId(), 40, List.of(face(605, 100, 80), face(104, 100, 80)), q, List.of(true, true));
        assertThat(s.assignments()).extracting(IouTracker.Assignment::trackId).containsExactly(2L, 1L);
    }

    @Test
    void tracksEndAfterTheGapAndANewSightingStartsANewTrack() {
        IouTracker.Step s = frame(null, 0, List.of(face(100, 100, 80)), List.of(30.0));
        s = frame(s, 1000, List.of(), List.of()); // within the gap: kept
        assertThat(s.tracks()).hasSize(1);
        assertThat(s.ended()).isEmpty();
        s = frame(s, 1600, List.of(face(100, 100, 80)), List.of(30.0)); // 1.6 s after the last sighting
        assertThat(s.ended()).extracting(TrackState::id).containsExactly(1L);
        assertThat(s.assignments().get(0).trackId()).isEqualTo(2);
        assertThat(s.assignments().get(0).embed()).isTrue();
    }

    @Test
    void aTrackOutlivesTheGapUntilADetectorPassMissesIt() {
        // the detector on one frame of 10 at 5 fps: passes 2 s apart, longer than the 1.5 s gap
        IouTracker.Step s = frame(null, 0, List.of(face(100, 100, 80)), List.of(30.0), true);
        s = frame(s, 2000, List.of(face(110, 100, 82)), List.of(31.0), true);
        assertThat(s.ended()).isEmpty();
        assertThat(s.assignments().get(0).trackId()).as("the same person, not a new track").isEqualTo(1);
        assertThat(s.assignments().get(0).embed()).as("not embedded again").isFalse();
        s = frame(s, 4000, List.of(), List.of(), true); // this pass misses the face
        assertThat(s.tracks()).singleElement().satisfies(t -> assertThat(t.missedPasses()).isEqualTo(1));
        s = frame(s, 6000, List.of(face(110, 100, 82)), List.of(31.0), true);
        assertThat(s.ended()).extracting(TrackState::id).containsExactly(1L);
        assertThat(s.assignments().get(0).trackId()).isEqualTo(2);
    }

    @Test
    void withoutSchedulingAGapInTheStreamEndsTheTrack() {
        // every frame is a pass: frames 2 s apart (a sparse camera) are evidence the face left, whoever stands there next
        IouTracker.Step s = frame(null, 0, List.of(face(100, 100, 80)), List.of(30.0));
        s = frame(s, 2000, List.of(face(100, 100, 80)), List.of(30.0));
        assertThat(s.ended()).extracting(TrackState::id).containsExactly(1L);
        assertThat(s.assignments().get(0).embed()).isTrue();
    }

    @Test
    void aTrackUnseenForTwoGapsEndsEvenIfNoPassMissedIt() {
        IouTracker.Step s = frame(null, 0, List.of(face(100, 100, 80)), List.of(30.0), true);
        s = frame(s, 3001, List.of(face(100, 100, 80)), List.of(30.0), true); // the camera was silent for 3 s
        assertThat(s.ended()).extracting(TrackState::id).containsExactly(1L);
        assertThat(s.assignments().get(0).embed()).as("the next passer-by is embedded").isTrue();
    }

    @Test
    void aSightingResetsTheMissedPasses() {
        IouTracker.Step s = frame(null, 0, List.of(face(100, 100, 80)), List.of(30.0), true);
        s = frame(s, 200, List.of(), List.of(), true);
        s = frame(s, 400, List.of(face(100, 100, 80)), List.of(30.0), true);
        assertThat(s.tracks()).singleElement().satisfies(t -> assertThat(t.missedPasses()).isZero());
        s = frame(s, 2000, List.of(face(100, 100, 80)), List.of(30.0), true); // 1.6 s on, but no pass missed it since
        assertThat(s.assignments().get(0).trackId()).isEqualTo(1);
    }

    @Test
    void refusesSettingsThatWouldNeverEmbedOrNeverEnd() {
        assertThatThrownBy(() -> new IouTracker(0.3, 1500, 3, Double.NaN, 0)).hasMessageContaining("re-embed gain");
        assertThatThrownBy(() -> new IouTracker(0.3, 1500, 3, Double.POSITIVE_INFINITY, 0)).hasMessageContaining("gain");
        assertThatThrownBy(() -> new IouTracker(0.3, 1500, 3, 0.9, 0)).hasMessageContaining("gain");
        assertThatThrownBy(() -> new IouTracker(0.3, 1500, 0, 1.25, 0)).hasMessageContaining("embeds per track");
        assertThatThrownBy(() -> new IouTracker(0.3, 1500, 21, 1.25, 0)).hasMessageContaining("embeds per track");
        assertThatThrownBy(() -> new IouTracker(0.3, 0, 3, 1.25, 0)).hasMessageContaining("gap");
        assertThatThrownBy(() -> new IouTracker(0.3, 60_001, 3, 1.25, 0)).hasMessageContaining("at most a minute");
        assertThatThrownBy(() -> new IouTracker(Double.NaN, 1500, 3, 1.25, 0)).hasMessageContaining("overlap");
        assertThatThrownBy(() -> new IouTracker(0.3, 1500, 3, 1.25, -1)).hasMessageContaining("every N sightings");
    }

    @Test
    void statesHoldNoBiometricData() {
        List<String> components = new ArrayList<>();
        for (var c : TrackState.class.getRecordComponents()) {
            components.add(c.getType().getSimpleName());
        }
        assertThat(components).doesNotContain("float[]", "byte[]", "FaceDescriptor", "FrameImage", "AlignedFace");
    }
}
