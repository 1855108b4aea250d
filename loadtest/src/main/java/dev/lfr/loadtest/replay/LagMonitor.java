package dev.lfr.loadtest.replay;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Samples a consumer group's lag on a topic (end offsets minus committed offsets, over all partitions) at a fixed
 * interval. The Flink Kafka source commits its offsets when a checkpoint completes, so the lag seen here includes up
 * to one checkpoint interval of frames already processed.
 */
public final class LagMonitor implements AutoCloseable {
    /** Lag and end offset (frames produced so far) at a moment, in ms since the monitor started. */
    public record Sample(long atMs, long lag, long produced) {}

    private final List<Sample> samples = new ArrayList<>();
    private final Thread thread;
    private volatile boolean stop;

    public LagMonitor(String bootstrap, String topic, String group, long intervalMs) {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        long start = System.currentTimeMillis();
        thread = new Thread(() -> {
            try (Admin admin = Admin.create(p)) {
                while (!stop) {
                    try {
                        List<TopicPartition> partitions = new ArrayList<>();
                        admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions()
                                .forEach(i -> partitions.add(new TopicPartition(topic, i.partition())));
                        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
                        partitions.forEach(tp -> latest.put(tp, OffsetSpec.latest()));
                        var ends = admin.listOffsets(latest).all().get();
                        Map<TopicPartition, OffsetAndMetadata> committed =
                                admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
                        long lag = 0;
                        long produced = 0;
                        for (TopicPartition tp : partitions) {
                            long end = ends.get(tp).offset();
                            OffsetAndMetadata c = committed.get(tp);
                            produced += end;
                            lag += end - (c == null ? 0 : c.offset());
                        }
                        synchronized (samples) {
                            samples.add(new Sample(System.currentTimeMillis() - start, lag, produced));
                        }
                    } catch (java.util.concurrent.ExecutionException e) {
                        // the group or topic is not there yet: try again at the next tick
                    }
                    Thread.sleep(intervalMs);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "lag-monitor");
        thread.setDaemon(true);
        thread.start();
    }

    public List<Sample> samples() {
        synchronized (samples) {
            return List.copyOf(samples);
        }
    }

    /**
     * Frames the group consumed per second while it was working: from its first commit to the first sample where it
     * had caught up with everything produced (or the last sample). Commits come with checkpoints, so the figure is
     * as exact as the checkpoint interval over the span allows; NaN where the first commit already held everything.
     * With {@code afterProduction}, the span starts only once everything was produced (a producer on the same machine
     * no longer takes CPU from the job).
     */
    public static double consumedPerSecond(List<Sample> s, boolean afterProduction) {
        if (s.isEmpty()) {
            return Double.NaN;
        }
        long total = s.get(s.size() - 1).produced();
        int first = -1;
        for (int i = 0; i < s.size(); i++) {
            boolean started = s.get(i).produced() - s.get(i).lag() > 0;
            if (started && (!afterProduction || s.get(i).produced() == total)) {
                first = i;
                break;
            }
        }
        if (first < 0 || s.get(first).lag() == 0 && s.get(first).produced() == total) {
            return Double.NaN; // nothing consumed, or all of it by the first commit seen: no span to time it over
        }
        int last = s.size() - 1;
        for (int i = first + 1; i < s.size(); i++) {
            if (s.get(i).lag() == 0 && s.get(i).produced() == total) {
                last = i;
                break;
            }
        }
        Sample a = s.get(first);
        Sample b = s.get(last);
        double seconds = (b.atMs() - a.atMs()) / 1000.0;
        return seconds <= 0 ? Double.NaN : ((b.produced() - b.lag()) - (a.produced() - a.lag())) / seconds;
    }

    @Override
    public void close() throws InterruptedException {
        stop = true;
        thread.interrupt();
        thread.join(5_000);
    }
}
