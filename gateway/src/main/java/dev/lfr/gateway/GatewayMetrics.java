package dev.lfr.gateway;

import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.util.List;
import java.util.function.LongSupplier;
import java.util.function.ToDoubleFunction;

/**
 * The gateway's health as Prometheus metrics, per camera, on {@code /metrics} (and {@code /-/healthy}); read straight
 * from the cameras' {@link CameraHealth} at each scrape.
 */
final class GatewayMetrics implements AutoCloseable {
    static final String PREFIX = "lfr_gateway_";

    private final HTTPServer server;

    GatewayMetrics(String host, int port, List<CameraHealth> cameras, LongSupplier clock) throws IOException {
        PrometheusRegistry registry = new PrometheusRegistry();
        counter(registry, cameras, "frames_decoded", "frames decoded from the camera's stream", CameraHealth::decoded);
        counter(registry, cameras, "frames_sampled", "frames kept at the camera's rate and encoded", CameraHealth::sampled);
        counter(registry, cameras, "frames_still", "sampled frames not sent: the scene had not changed (motion gate)",
                CameraHealth::still);
        counter(registry, cameras, "frames_sent", "frames the broker acknowledged", CameraHealth::sent);
        counter(registry, cameras, "frames_dropped", "frames dropped while the broker was slow or refused", CameraHealth::dropped);
        counter(registry, cameras, "reconnects", "times the stream was reopened", CameraHealth::reconnects);
        counter(registry, cameras, "errors", "failures to open or read the stream or a frame", CameraHealth::errors);
        GaugeWithCallback.builder().name(PREFIX + "last_frame_age_seconds").help("seconds since the last decoded frame (-1: none yet)")
                .labelNames("camera").callback(cb -> cameras.forEach(c -> cb.call(c.lastFrameAgeSeconds(clock.getAsLong()), c.camera())))
                .register(registry);
        GaugeWithCallback.builder().name(PREFIX + "streaming").help("1 while the camera's stream is open and delivering")
                .labelNames("camera").callback(cb -> cameras.forEach(c -> cb.call(c.state() == CameraHealth.State.STREAMING ? 1 : 0,
                        c.camera()))).register(registry);
        GaugeWithCallback.builder().name(PREFIX + "capture_to_ack_p99_seconds")
                .help("99th percentile, over the last minute, of capture to the broker's acknowledgement (-1: no frame)")
                .labelNames("camera").callback(cb -> cameras.forEach(c -> {
                    long[] l = c.latenciesSince(clock.getAsLong() - 60_000);
                    cb.call(l.length == 0 ? -1 : l[Math.min(l.length - 1, (int) Math.ceil(0.99 * l.length) - 1)] / 1000.0, c.camera());
                })).register(registry);
        server = HTTPServer.builder().hostname(host).port(port).registry(registry).buildAndStart();
    }

    int port() {
        return server.getPort();
    }

    private static void counter(PrometheusRegistry registry, List<CameraHealth> cameras, String name, String help,
                                ToDoubleFunction<CameraHealth> value) {
        CounterWithCallback.builder().name(PREFIX + name).help(help).labelNames("camera")
                .callback(cb -> cameras.forEach(c -> cb.call(value.applyAsDouble(c), c.camera()))).register(registry);
    }

    @Override
    public void close() {
        server.close();
    }
}
