package dev.lfr.loadtest.replay;

import dev.lfr.schemas.AvroBytes;
import dev.lfr.schemas.WatchlistOp;
import dev.lfr.schemas.WatchlistUpdate;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Watchlist updates at a steady rate while a replay runs, as a force's watchlist changes during a deployment:
 * enrolments of new subjects, replacements of their templates and their deletions, in turn. The subjects are
 * synthetic (random unit vectors, far from any real face), so the replay's ground truth and accuracy stay as they
 * are and only the cost of the updates shows. Stops when closed.
 */
public final class WatchlistChurn implements AutoCloseable {
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "watchlist-churn");
        t.setDaemon(true);
        return t;
    });
    private final AtomicLong sent = new AtomicLong();

    /**
     * @param perMinute updates a minute (0: none)
     */
    public WatchlistChurn(KafkaProducer<byte[], byte[]> producer, String topic, String watchlist, String model,
                          int dimension, int perMinute) {
        if (perMinute <= 0) {
            return;
        }
        Random random = new Random(11);
        List<String> enrolled = new ArrayList<>();
        long periodMicros = 60_000_000L / perMinute;
        timer.scheduleAtFixedRate(() -> {
            long n = sent.get();
            WatchlistUpdate.Builder u = WatchlistUpdate.newBuilder().setWatchlist(watchlist).setVersion(n + 1)
                    .setEmbeddingModel(model);
            if (n % 3 == 2 && !enrolled.isEmpty()) {
                u.setSubject(enrolled.remove(random.nextInt(enrolled.size()))).setOp(WatchlistOp.DELETE);
            } else if (n % 3 == 1 && !enrolled.isEmpty()) {
                u.setSubject(enrolled.get(random.nextInt(enrolled.size()))).setOp(WatchlistOp.UPSERT)
                        .setVector(unitVector(random, dimension));
            } else {
                String subject = "churn-" + n;
                enrolled.add(subject);
                u.setSubject(subject).setOp(WatchlistOp.UPSERT).setVector(unitVector(random, dimension));
            }
            WatchlistUpdate update = u.build();
            producer.send(new ProducerRecord<>(topic, (watchlist + "/" + update.getSubject()).getBytes(StandardCharsets.UTF_8),
                    AvroBytes.encode(update)));
            sent.incrementAndGet();
        }, periodMicros, periodMicros, TimeUnit.MICROSECONDS);
    }

    /** Updates sent so far. */
    public long sent() {
        return sent.get();
    }

    private static List<Float> unitVector(Random r, int dimension) {
        double[] v = new double[dimension];
        double norm = 0;
        for (int i = 0; i < dimension; i++) {
            v[i] = r.nextGaussian();
            norm += v[i] * v[i];
        }
        List<Float> out = new ArrayList<>(dimension);
        for (double x : v) {
            out.add((float) (x / Math.sqrt(norm)));
        }
        return out;
    }

    @Override
    public void close() throws InterruptedException {
        timer.shutdownNow();
        timer.awaitTermination(5, TimeUnit.SECONDS);
    }
}
