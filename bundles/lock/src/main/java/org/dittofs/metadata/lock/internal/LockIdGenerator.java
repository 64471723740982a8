package org.dittofs.metadata.lock.internal;

import java.util.concurrent.atomic.AtomicLong;
import org.dittofs.metadata.lock.LockId;

/**
 * Cheap unique ids: the server epoch plus a sequence from one atomic counter. Ids from one epoch
 * are unique and ordered by creation; epochs are incremented at every start, so ids never repeat
 * across restarts. Thread-safe (lock-free).
 */
final class LockIdGenerator {
  private final long epoch;
  private final AtomicLong sequence = new AtomicLong();

  LockIdGenerator(long epoch) {
    this.epoch = epoch;
  }

  LockId next() {
    return new LockId(epoch, sequence.incrementAndGet());
  }

  long epoch() {
    return epoch;
  }
}
