package dev.lfr.gateway;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import org.apache.kafka.clients.producer.Producer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Many cameras into the frames topic: a reader thread per camera (decode, sample, scale, encode), one bounded queue
 * per camera, one sender, and the health endpoint. {@link #close} stops the readers, sends what they queued, flushes
 * the producer and stops the endpoint (what SIGTERM does, through the CLI's shutdown hook).
 */
public final class Gateway implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Gateway.class);
    private final GatewayConfig config;
    private final List<CameraHealth> health = new ArrayList<>();
    private final List<CameraReader> readers = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final FrameSender sender;
    private final Thread senderThread;
    private final Producer<byte[], byte[]> producer;
    private final GatewayMetrics metrics;

    /**
     * @param metricsHost where the metrics endpoint listens, with {@code metricsPort} (0: any free port)
     * @param env         where credentials' environment variables are read (System::getenv)
     */
    public Gateway(GatewayConfig config, Producer<byte[], byte[]> producer, String topic, String metricsHost, int metricsPort,
                   Function<String, String> env) throws IOException {
        this.config = config;
        this.producer = producer;
        config.cameras().forEach(c -> health.add(new CameraHealth(c.id())));
        FrameQueues queues = new FrameQueues(health, config.queueFrames());
        try {
            this.metrics = new GatewayMetrics(metricsHost, metricsPort, health, System::currentTimeMillis);
        } catch (IOException e) {
            producer.close();
            throw e;
        }
        for (int i = 0; i < config.cameras().size(); i++) {
            CameraReader r = new CameraReader(i, config.cameras().get(i), health.get(i), queues, config, env, System::currentTimeMillis);
            readers.add(r);
            Thread t = new Thread(r, "camera-" + config.cameras().get(i).id());
            t.setDaemon(true);
            threads.add(t);
        }
        this.sender = new FrameSender(producer, topic, queues, config.cameras(), health);
        this.senderThread = new Thread(sender, "frame-sender");
        senderThread.setDaemon(true);
        senderThread.start();
        threads.forEach(Thread::start);
    }

    public List<CameraHealth> health() {
        return List.copyOf(health);
    }

    public int metricsPort() {
        return metrics.port();
    }

    /** One line per camera: state, counts and the age of its last frame. */
    public List<String> statusLines() {
        long now = System.currentTimeMillis();
        return health.stream().map(h -> String.format(Locale.ROOT, "%s %s decoded=%d sent=%d dropped=%d reconnects=%d errors=%d"
                + " last_frame_age=%s%s", h.camera(), h.state(), h.decoded(), h.sent(), h.dropped(), h.reconnects(), h.errors(),
                h.lastFrameAgeSeconds(now) < 0 ? "-" : String.format(Locale.ROOT, "%.1fs", h.lastFrameAgeSeconds(now)),
                h.lastError() == null ? "" : " last_error=\"" + h.lastError() + "\"")).toList();
    }

    @Override
    public void close() throws InterruptedException {
        readers.forEach(CameraReader::stop);
        // a reader returns from a read within the stall timeout: one deadline for all of them, so that closing takes
        // as long with a hundred cameras as with one
        long deadline = System.nanoTime() + (config.stallTimeout().toMillis() + 2_000) * 1_000_000L;
        for (Thread t : threads) {
            t.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000L));
        }
        for (Thread t : threads) {
            if (t.isAlive()) {
                LOG.warn("{} did not stop within the stall timeout; closing without it", t.getName());
            }
        }
        sender.stop();
        senderThread.join(config.stallTimeout().toMillis() + 2_000);
        producer.close(java.time.Duration.ofSeconds(10)); // sends what is buffered, unless the broker is gone
        metrics.close();
    }
}
