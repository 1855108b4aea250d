package dev.lfr.udfs.pipeline;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What a pipeline remembers of each camera between its frames, in the operator's memory only (never state or
 * checkpoints: after a restore each camera starts afresh). The least recently seen camera is forgotten first, so a
 * flood of camera ids cannot grow it without bound. Not thread-safe: one per pipeline.
 */
final class CameraMemory<V> {
    /** Cameras remembered at most. */
    static final int MAX_CAMERAS = 10_000;

    private final Map<String, V> byCamera = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
            return size() > MAX_CAMERAS;
        }
    };

    /** The camera's memory, made fresh for a camera not (or no longer) remembered. */
    V of(String camera, Supplier<V> fresh) {
        return byCamera.computeIfAbsent(camera, c -> fresh.get());
    }

    /** The camera's memory, or null when it has none (making none). */
    V peek(String camera) {
        return byCamera.get(camera);
    }

    void forget(String camera) {
        byCamera.remove(camera);
    }

    int size() {
        return byCamera.size();
    }

    java.util.Collection<V> values() {
        return byCamera.values();
    }
}
