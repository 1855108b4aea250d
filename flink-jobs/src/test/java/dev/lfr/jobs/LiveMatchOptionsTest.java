package dev.lfr.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

/** A careless operator's settings are refused at submission, in one line that names the setting. */
class LiveMatchOptionsTest {
    private static LiveMatchJob.Config from(Map<String, String> settings) {
        return LiveMatchJob.Config.from(Configuration.fromMap(settings));
    }

    @Test
    void settingsAreReadAsTypedOptions() {
        LiveMatchJob.Config c = from(Map.of("input.max-clock-ahead", "2 min", "deployment.min-threshold", "0.4",
                "embedding-model", "dlib-resnet-128", "metrics.window", "30 s", "watchlist.index", "HNSW-sq8"));
        assertThat(c.input().maxClockAhead()).isEqualTo(Duration.ofMinutes(2));
        assertThat(c.input().minThreshold()).isEqualTo(0.4f);
        assertThat(c.input().dimension()).isEqualTo(128);
        assertThat(c.embeddingModel()).isEqualTo("dlib-resnet-128");
        assertThat(c.metricsWindow()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.watchlistIndex()).isEqualTo(dev.lfr.udfs.index.WatchlistIndexes.Choice.HNSW_SQ8);
        assertThat(LiveMatchJob.Config.defaults().watchlistIndex()).isEqualTo(dev.lfr.udfs.index.WatchlistIndexes.Choice.AUTO);
    }

    @Test
    void nonsenseIsRefusedWithTheSettingNamed() {
        assertThatThrownBy(() -> from(Map.of("deployment.min-threshold", "NaN")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("minimum deployment threshold");
        assertThatThrownBy(() -> from(Map.of("deployment.min-threshold", "0")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("minimum deployment threshold");
        assertThatThrownBy(() -> from(Map.of("input.max-age", "-1 s")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> from(Map.of("alert.gap", "0 s")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("positive");
        assertThatThrownBy(() -> from(Map.of("embedding-model", "blazeface-back-256")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not an embedder");
        assertThatThrownBy(() -> from(Map.of("embedding-model", "no-such-model")))
                .hasMessageContaining("unknown model");
        assertThatThrownBy(() -> from(Map.of("watchlist.index", "ivf")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("use auto, flat, sq8, hnsw or hnsw-sq8");
    }
}
