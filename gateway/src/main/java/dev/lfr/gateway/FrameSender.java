package dev.lfr.gateway;

import dev.lfr.schemas.AvroBytes;
import dev.lfr.schemas.FrameEvent;
import dev.lfr.schemas.ImageEncoding;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Sends the cameras' frames to the frames topic, keyed by camera id (so a camera's frames stay in order on one
 * partition). It alone waits for the broker; a frame the broker refuses is counted as dropped, never retried late.
 */
final class FrameSender implements Runnable {
    private final Producer<byte[], byte[]> producer;
    private final String topic;
    private final FrameQueues queues;
    private final List<GatewayConfig.Camera> cameras;
    private final List<CameraHealth> health;
    private volatile boolean running = true;

    FrameSender(Producer<byte[], byte[]> producer, String topic, FrameQueues queues, List<GatewayConfig.Camera> cameras,
                List<CameraHealth> health) {
        this.producer = producer;
        this.topic = topic;
        this.queues = queues;
        this.cameras = cameras;
        this.health = health;
    }

    void stop() {
        running = false;
    }

    @Override
    public void run() {
        try {
            while (running) {
                FrameQueues.Encoded e = queues.poll(200, TimeUnit.MILLISECONDS);
                if (e != null) {
                    send(e);
                }
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5); // a broker that is down must not hold up shutdown
            for (FrameQueues.Encoded e = queues.poll(0, TimeUnit.MILLISECONDS); e != null && System.nanoTime() < deadline;
                    e = queues.poll(0, TimeUnit.MILLISECONDS)) {
                send(e); // what the cameras had queued at shutdown
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void send(FrameQueues.Encoded e) {
        String camera = cameras.get(e.camera()).id();
        CameraHealth h = health.get(e.camera());
        FrameEvent f = FrameEvent.newBuilder().setCamera(camera).setSequence(e.sequence()).setCaptureTime(Instant.ofEpochMilli(e.captureMs()))
                .setWidth(e.width()).setHeight(e.height()).setEncoding(ImageEncoding.JPEG).setImage(ByteBuffer.wrap(e.jpeg())).build();
        try {
            producer.send(new ProducerRecord<>(topic, camera.getBytes(StandardCharsets.UTF_8), AvroBytes.encode(f)), (meta, error) -> {
                if (error == null) {
                    h.sent.incrementAndGet();
                    h.acknowledged(e.captureMs(), System.currentTimeMillis());
                } else {
                    h.sendErrors.incrementAndGet();
                }
            });
        } catch (RuntimeException ex) {
            h.sendErrors.incrementAndGet(); // the broker unreachable for max.block.ms, or the frame too large
        }
    }
}
