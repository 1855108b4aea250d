package dev.lfr.gateway;

import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One bounded queue per camera between its reader and the sender. A reader never waits: when its queue is full (the
 * broker is slow) the oldest frame is dropped and counted, so what is sent stays current. The sender takes from the
 * cameras in turn, so a camera with a backlog cannot starve the others.
 */
final class FrameQueues {
    /** An encoded frame ready to send. */
    record Encoded(int camera, long sequence, long captureMs, int width, int height, byte[] jpeg) {}

    private final ArrayDeque<Encoded>[] queues;
    private final List<CameraHealth> health;
    private final int capacity;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    private int next;

    @SuppressWarnings("unchecked")
    FrameQueues(List<CameraHealth> health, int capacity) {
        this.health = health;
        this.capacity = capacity;
        this.queues = new ArrayDeque[health.size()];
        for (int i = 0; i < queues.length; i++) {
            queues[i] = new ArrayDeque<>(capacity);
        }
    }

    void offer(Encoded e) {
        lock.lock();
        try {
            ArrayDeque<Encoded> q = queues[e.camera()];
            if (q.size() >= capacity) {
                q.pollFirst();
                health.get(e.camera()).dropped.incrementAndGet();
            }
            q.addLast(e);
            notEmpty.signal();
        } finally {
            lock.unlock();
        }
    }

    /** The next frame, cameras in turn; null when none came within the timeout. */
    Encoded poll(long timeout, TimeUnit unit) throws InterruptedException {
        long nanos = unit.toNanos(timeout);
        lock.lock();
        try {
            while (true) {
                for (int i = 0; i < queues.length; i++) {
                    int c = (next + i) % queues.length;
                    Encoded e = queues[c].pollFirst();
                    if (e != null) {
                        next = (c + 1) % queues.length;
                        return e;
                    }
                }
                if (nanos <= 0) {
                    return null;
                }
                nanos = notEmpty.awaitNanos(nanos);
            }
        } finally {
            lock.unlock();
        }
    }
}
