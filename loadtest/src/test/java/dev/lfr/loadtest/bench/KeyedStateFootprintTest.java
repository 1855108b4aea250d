package dev.lfr.loadtest.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lfr.loadtest.replay.Replay;
import dev.lfr.udfs.detect.FaceDetector;
import dev.lfr.udfs.model.ModelStore;
import org.junit.jupiter.api.Test;

class KeyedStateFootprintTest {
    @Test
    void measuresTheTracksOfWalkPastsOfTheSampleFaces() throws Exception {
        ModelStore models = ModelStore.ensureDefault();
        Replay.Engine engine = new Replay.Engine(models, models.defaultEmbedder(), FaceDetector.Config.defaults());

        KeyedStateFootprint.Footprint f = KeyedStateFootprint.measure(engine, 12, 5, 2);

        // two faces in view: the real detector finds them; at most one new track per face a frame
        assertThat(f.maxTracks()).isBetween(2, 2 * 12);
        assertThat(f.heapBytesMax()).isGreaterThanOrEqualTo(f.heapBytesMean()).isGreaterThan(100);
        assertThat(f.checkpointBytesMax()).isGreaterThan(8);
        assertThatThrownBy(() -> KeyedStateFootprint.measure(engine, 0, 5, 2))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
