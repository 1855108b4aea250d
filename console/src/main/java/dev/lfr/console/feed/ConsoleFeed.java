package dev.lfr.console.feed;

import dev.lfr.governance.adjudication.Adjudications;
import dev.lfr.schemas.Adjudication;
import dev.lfr.schemas.AuditAction;
import dev.lfr.schemas.AuditRecord;
import dev.lfr.schemas.AvroBytes;
import dev.lfr.schemas.Deployment;
import dev.lfr.schemas.DeploymentMetrics;
import dev.lfr.schemas.MatchAlert;
import dev.lfr.schemas.WatchlistOp;
import dev.lfr.schemas.WatchlistUpdate;
import dev.lfr.topics.KafkaClients;
import dev.lfr.topics.Topics;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;

/**
 * What the console knows, kept current from the topics by one reader thread: deployments, alerts with their
 * verdicts and pending first confirmations (from the audit trail), the watchlist's names and reference-photo URIs
 * (never its vectors), and the published metric windows. Records it cannot decode are skipped and counted. An
 * alert's verdict is the one written last (its partition's order, which compaction by alert id keeps), whatever time
 * it carries: a decision timed ahead by a wrong clock, or forged, cannot hide the decisions written after it.
 */
public final class ConsoleFeed implements AutoCloseable {
    /** What changed: an alert (raised, updated or reviewed), a deployment, or a deployment's metrics. */
    public record Change(Kind kind, String deployment, String alertId) {
        public enum Kind { ALERT, DEPLOYMENT, METRICS }
    }

    private record Entry(String displayName, String referenceImageUri) {}

    private static final List<String> TOPICS = List.of(Topics.DEPLOYMENTS, Topics.WATCHLIST, Topics.ALERTS,
            Topics.ADJUDICATIONS, Topics.AUDIT, Topics.METRICS);

    private final Map<String, Deployment> deployments = new ConcurrentHashMap<>();
    private final Map<String, MatchAlert> alerts = new ConcurrentHashMap<>();
    private final Map<String, Adjudication> verdicts = new ConcurrentHashMap<>();
    private final Map<String, AuditRecord> firstConfirmations = new ConcurrentHashMap<>();
    private final Map<String, Entry> watchlist = new ConcurrentHashMap<>();
    private final Map<String, NavigableMap<Long, DeploymentMetrics>> metrics = new ConcurrentHashMap<>();
    private final List<Consumer<Change>> listeners = new CopyOnWriteArrayList<>();
    private final AtomicLong skipped = new AtomicLong();
    private final CountDownLatch caughtUp = new CountDownLatch(1);
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Thread reader;
    private volatile boolean closed;

    public ConsoleFeed(String bootstrap) {
        consumer = KafkaClients.consumer(bootstrap, null, true);
        reader = new Thread(this::read, "console-feed");
        reader.setDaemon(true);
        reader.start();
    }

    /** Waits until everything on the topics when the feed started has been read. */
    public boolean awaitCaughtUp(Duration timeout) throws InterruptedException {
        return caughtUp.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    public void onChange(Consumer<Change> listener) {
        listeners.add(listener);
    }

    public long skipped() {
        return skipped.get();
    }

    public List<Deployment> deployments() {
        return deployments.values().stream().sorted(Comparator.comparing(Deployment::getStart).reversed()).toList();
    }

    public Optional<Deployment> deployment(String id) {
        return Optional.ofNullable(id == null ? null : deployments.get(id));
    }

    /** The deployment's alerts, newest first. */
    public List<AlertReview> alerts(String deployment) {
        return alerts.values().stream().filter(a -> a.getDeployment().equals(deployment))
                .sorted(Comparator.comparing(MatchAlert::getFirstSeen).reversed()).map(this::review).toList();
    }

    public Optional<AlertReview> alert(String alertId) {
        return Optional.ofNullable(alertId == null ? null : alerts.get(alertId)).map(this::review);
    }

    /** The probe crop of an alert, when it still has one (the retention sweep removes them). */
    public Optional<byte[]> crop(String alertId) {
        MatchAlert a = alertId == null ? null : alerts.get(alertId);
        if (a == null || a.getBestCropJpeg() == null || a.getBestCropJpeg().remaining() == 0) {
            return Optional.empty();
        }
        ByteBuffer b = a.getBestCropJpeg().duplicate();
        byte[] jpeg = new byte[b.remaining()];
        b.get(jpeg);
        return Optional.of(jpeg);
    }

    /** The {@code lfr-image:} URI of the reference photo of the subject an alert names, when the entry has one. */
    public Optional<String> referenceImage(String alertId) {
        return Optional.ofNullable(alertId == null ? null : alerts.get(alertId)).map(this::entry).map(Entry::referenceImageUri);
    }

    /** The deployment's all-camera metric windows, oldest first (a window published twice counts once). */
    public List<DeploymentMetrics> metrics(String deployment) {
        NavigableMap<Long, DeploymentMetrics> m = metrics.get(deployment);
        return m == null ? List.of() : List.copyOf(m.values());
    }

    private AlertReview review(MatchAlert a) {
        Adjudication v = verdicts.get(a.getAlertId());
        AuditRecord first = v == null ? firstConfirmations.get(a.getAlertId()) : null;
        Entry e = entry(a);
        String state = v != null ? v.getVerdict().name() : first != null ? AlertReview.AWAITING_SECOND_OFFICER : AlertReview.AWAITING_REVIEW;
        String by = v != null ? v.getOfficer() : first != null ? first.getActor() : null;
        Long at = v != null ? Long.valueOf(v.getTime().toEpochMilli()) : first != null ? Long.valueOf(first.getTime().toEpochMilli()) : null;
        return new AlertReview(a.getAlertId(), a.getDeployment(), List.copyOf(a.getCameras()), a.getSubject(),
                e != null && e.displayName() != null ? e.displayName() : a.getSubject(), a.getBestScore(),
                a.getFirstSeen().toEpochMilli(), a.getLastSeen().toEpochMilli(), a.getSightings(), a.getWatchlistVersion(),
                a.getBestCropJpeg() != null && a.getBestCropJpeg().remaining() > 0, e != null && e.referenceImageUri() != null,
                state, by, at);
    }

    private Entry entry(MatchAlert a) {
        Deployment d = deployments.get(a.getDeployment());
        return d == null ? null : watchlist.get(Topics.watchlistKey(d.getWatchlist(), a.getSubject()));
    }

    private void read() {
        try {
            List<TopicPartition> parts = new ArrayList<>();
            for (String t : TOPICS) {
                consumer.partitionsFor(t).forEach(i -> parts.add(new TopicPartition(t, i.partition())));
            }
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            Map<TopicPartition, Long> end = consumer.endOffsets(parts);
            while (!closed) {
                List<Change> changes = new ArrayList<>();
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    try {
                        apply(r, changes);
                    } catch (RuntimeException e) {
                        skipped.incrementAndGet(); // a record the console cannot read must not stop it reading the rest
                    }
                }
                if (caughtUp.getCount() > 0 && parts.stream().allMatch(tp -> consumer.position(tp) >= end.get(tp))) {
                    caughtUp.countDown();
                }
                for (Change c : Set.copyOf(changes)) {
                    listeners.forEach(l -> l.accept(c));
                }
            }
        } catch (WakeupException e) {
            // closed
        } finally {
            consumer.close();
        }
    }

    private void apply(ConsumerRecord<byte[], byte[]> r, List<Change> changes) {
        String key = r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8);
        switch (r.topic()) {
            case Topics.DEPLOYMENTS -> {
                if (r.value() == null) {
                    if (key != null && deployments.remove(key) != null) {
                        changes.add(new Change(Change.Kind.DEPLOYMENT, key, null));
                    }
                    return;
                }
                Deployment d = AvroBytes.decode(r.value(), Deployment.class);
                deployments.put(d.getId(), d);
                changes.add(new Change(Change.Kind.DEPLOYMENT, d.getId(), null));
            }
            case Topics.WATCHLIST -> {
                if (r.value() == null) {
                    if (key != null) {
                        watchlist.remove(key);
                    }
                    return;
                }
                WatchlistUpdate u = AvroBytes.decode(r.value(), WatchlistUpdate.class);
                String k = Topics.watchlistKey(u.getWatchlist(), u.getSubject());
                if (u.getOp() == WatchlistOp.UPSERT) {
                    watchlist.put(k, new Entry(u.getDisplayName(), u.getReferenceImageUri()));
                } else {
                    watchlist.remove(k);
                }
            }
            case Topics.ALERTS -> {
                if (r.value() == null) {
                    MatchAlert gone = key == null ? null : alerts.remove(key);
                    if (gone != null) {
                        changes.add(new Change(Change.Kind.ALERT, gone.getDeployment(), gone.getAlertId()));
                    }
                    return;
                }
                MatchAlert a = AvroBytes.decode(r.value(), MatchAlert.class);
                alerts.put(a.getAlertId(), a);
                changes.add(new Change(Change.Kind.ALERT, a.getDeployment(), a.getAlertId()));
            }
            case Topics.ADJUDICATIONS -> {
                if (r.value() == null) {
                    return;
                }
                Adjudication v = AvroBytes.decode(r.value(), Adjudication.class);
                verdicts.put(v.getAlertId(), v);
                changed(v.getAlertId(), changes);
            }
            case Topics.AUDIT -> {
                AuditRecord a = r.value() == null ? null : AvroBytes.decode(r.value(), AuditRecord.class);
                if (a != null && a.getAction() == AuditAction.ALERT_ADJUDICATED && a.getSubject() != null
                        && a.getWhat().startsWith(Adjudications.FIRST_CONFIRMATION)) {
                    firstConfirmations.putIfAbsent(a.getSubject(), a);
                    changed(a.getSubject(), changes);
                }
            }
            case Topics.METRICS -> {
                if (r.value() == null) {
                    return;
                }
                DeploymentMetrics m = AvroBytes.decode(r.value(), DeploymentMetrics.class);
                if (m.getCamera() == null) {
                    metrics.computeIfAbsent(m.getDeployment(), d -> new ConcurrentSkipListMap<>())
                            .put(m.getWindowStart().toEpochMilli(), m);
                    changes.add(new Change(Change.Kind.METRICS, m.getDeployment(), null));
                }
            }
            default -> skipped.incrementAndGet();
        }
    }

    private void changed(String alertId, List<Change> changes) {
        MatchAlert a = alerts.get(alertId);
        if (a != null) {
            changes.add(new Change(Change.Kind.ALERT, a.getDeployment(), alertId));
        }
    }

    @Override
    public void close() throws InterruptedException {
        closed = true;
        consumer.wakeup();
        reader.join(10_000);
    }
}
