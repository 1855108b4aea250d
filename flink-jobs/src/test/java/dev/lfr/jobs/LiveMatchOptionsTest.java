package dev.lfr.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.base.DeliveryGuarantee;
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

        LiveMatchJob.Config tiled = from(Map.of("detector.tile-size", "384", "detector.tiles-where-motion", "false"));
        assertThat(tiled.pipeline().detector().tileSize()).isEqualTo(384);
        assertThat(tiled.pipeline().motionTiles()).isFalse();
        assertThat(LiveMatchJob.Config.defaults().pipeline().detector().tileSize()).as("tiles cost passes: off").isZero();
        assertThat(LiveMatchJob.Config.defaults().pipeline().motionTiles()).isTrue();

        LiveMatchJob.Config screened = from(Map.of("embedding.screening-model", "fr-feature-512-int8",
                "embedding.screening-margin", "0.08"));
        assertThat(screened.pipeline().screening().model()).isEqualTo("fr-feature-512-int8");
        assertThat(screened.pipeline().screening().margin()).isEqualTo(0.08);
        assertThat(screened.embeddingModel()).as("the watchlist's model still decides").isEqualTo("fr-feature-512");
        assertThat(LiveMatchJob.Config.defaults().pipeline().screening().on()).isFalse();
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
        // so long that a frame's time check would overflow: refused at submission, not thrown on every frame
        assertThatThrownBy(() -> from(Map.of("input.max-age", "99999999999999 d")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maximum record age")
                .hasMessageContaining("at most 100 years");
        assertThatThrownBy(() -> from(Map.of("alert.gap", "99999999999999 d")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("the alert gap");
        assertThatThrownBy(() -> from(Map.of("track.max-gap", "99999999999999 d")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at most a minute");
        assertThatThrownBy(() -> from(Map.of("track.max-gap", "0 s")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tracker's gap");
        assertThatThrownBy(() -> from(Map.of("track.reembed-every", "-1")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("every N");
        assertThatThrownBy(() -> from(Map.of("embedding-model", "blazeface-back-256")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not an embedder");
        assertThatThrownBy(() -> from(Map.of("embedding-model", "no-such-model")))
                .hasMessageContaining("unknown model");
        assertThatThrownBy(() -> from(Map.of("detector.tile-size", "128")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("detector.tile-size");
        assertThatThrownBy(() -> from(Map.of("embedding.screening-model", "dlib-resnet-128")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("embedding.screening-model");
        assertThatThrownBy(() -> from(Map.of("embedding.screening-model", "fr-feature-512")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must differ");
        assertThatThrownBy(() -> from(Map.of("embedding.screening-model", "fr-feature-512-int8",
                "embedding.screening-margin", "NaN")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("screening margin");
        assertThatThrownBy(() -> from(Map.of("watchlist.index", "ivf")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("use auto, flat, sq8, hnsw or hnsw-sq8");
    }

    @Test
    void alertsAreAtLeastOnceAndRecordsExactlyOnceUnlessSaidOtherwiseAndNothingMayBeDropped() {
        SinkDelivery defaults = SinkDelivery.from(new Configuration());
        assertThat(defaults).isEqualTo(SinkDelivery.defaults());
        assertThat(defaults.alerts()).isEqualTo(DeliveryGuarantee.AT_LEAST_ONCE);
        assertThat(defaults.records()).isEqualTo(DeliveryGuarantee.EXACTLY_ONCE);
        assertThat(SinkDelivery.from(Configuration.fromMap(Map.of("alerts.delivery", "exactly-once",
                "records.delivery", "at-least-once")))).isEqualTo(
                new SinkDelivery(DeliveryGuarantee.EXACTLY_ONCE, DeliveryGuarantee.AT_LEAST_ONCE));
        assertThatThrownBy(() -> SinkDelivery.from(Configuration.fromMap(Map.of("records.delivery", "none"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must not drop");
        assertThatThrownBy(() -> SinkDelivery.from(Configuration.fromMap(Map.of("alerts.delivery", "twice"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("alerts.delivery");
    }

    @Test
    void exactlyOnceSinksWithoutCheckpointsAreRefusedAtSubmission() {
        // nothing would ever become readable: the transactions commit with checkpoints
        assertThatThrownBy(() -> LiveMatchJob.main(new String[] {"--bootstrap", "localhost:1"}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("execution.checkpointing.interval");
        assertThatThrownBy(() -> LiveMatchJob.main(new String[] {"--bootstrap", "localhost:1",
                "--records.delivery", "at-least-once", "--alerts.delivery", "exactly-once"}))
                .hasMessageContaining("commit with checkpoints");
    }
}
