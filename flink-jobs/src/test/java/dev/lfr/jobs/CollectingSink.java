package dev.lfr.jobs;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/** A test sink that collects into a static list per name (sinks are serialised, so instances cannot hold results). */
public final class CollectingSink<T> implements Sink<T> {
    private static final Map<String, List<Object>> RESULTS = new ConcurrentHashMap<>();
    private final String name;

    public CollectingSink(String name) {
        this.name = name;
        RESULTS.put(name, new CopyOnWriteArrayList<>());
    }

    @SuppressWarnings("unchecked")
    public List<T> results() {
        return new ArrayList<>((List<T>) (List<?>) RESULTS.get(name));
    }

    @Override
    public SinkWriter<T> createWriter(WriterInitContext context) {
        List<Object> target = RESULTS.get(name);
        return new SinkWriter<>() {
            @Override
            public void write(T element, Context ctx) {
                target.add(element);
            }

            @Override
            public void flush(boolean endOfInput) {
            }

            @Override
            public void close() {
            }
        };
    }
}
