package dev.lfr.gateway;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A running gateway's cameras, read from its metrics endpoint (what {@code ./lfr gateway status} prints). */
public final class GatewayStatus {
    /** One camera's figures; counts are since the gateway started. */
    public record Camera(String camera, boolean streaming, long decoded, long still, long sent, long dropped, long reconnects,
                         long errors, double lastFrameAgeSeconds) {}

    private static final Pattern SAMPLE = Pattern.compile("^" + GatewayMetrics.PREFIX + "(\\w+?)(?:_total)?\\{camera=\"([^\"]*)\"} (\\S+)$");

    private GatewayStatus() {}

    /** @throws GatewayException when the endpoint cannot be read */
    public static List<Camera> fetch(URI metrics) {
        String body;
        try {
            HttpResponse<String> r = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build().send(
                    HttpRequest.newBuilder(metrics).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new GatewayException("gateway metrics at " + metrics + " answered HTTP " + r.statusCode());
            }
            body = r.body();
        } catch (IOException e) {
            throw new GatewayException("no gateway metrics at " + metrics + " (" + e.getClass().getSimpleName() + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new GatewayException("interrupted");
        }
        return parse(body);
    }

    static List<Camera> parse(String exposition) {
        Map<String, Map<String, Double>> byCamera = new LinkedHashMap<>();
        for (String line : exposition.split("\n")) {
            Matcher m = SAMPLE.matcher(line.strip());
            if (m.matches()) {
                byCamera.computeIfAbsent(m.group(2), c -> new LinkedHashMap<>()).put(m.group(1), Double.parseDouble(m.group(3)));
            }
        }
        List<Camera> out = new ArrayList<>();
        byCamera.forEach((camera, v) -> out.add(new Camera(camera, v.getOrDefault("streaming", 0.0) == 1.0, count(v, "frames_decoded"),
                count(v, "frames_still"), count(v, "frames_sent"), count(v, "frames_dropped"), count(v, "reconnects"), count(v, "errors"),
                v.getOrDefault("last_frame_age_seconds", -1.0))));
        return out;
    }

    private static long count(Map<String, Double> v, String name) {
        return Math.round(v.getOrDefault(name, 0.0));
    }
}
