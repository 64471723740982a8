package org.dittofs.metadata.lock.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.dittofs.metadata.lock.FileHandle;
import org.dittofs.metadata.lock.LockClient;
import org.dittofs.metadata.lock.host.LockScheduler;

/**
 * What the manager knows of one client. {@code locks} and {@code files} are thread-safe on their
 * own; {@code lastSeenNanos} is volatile (written with release semantics by a request of the client
 * that brings a later reading, {@link #seen}); the registration fields ({@code registered}, {@code
 * remoteAddress}, {@code ttl}, {@code releaseTimer}, {@code generation}) are written under the
 * {@link ClientRegistry}'s monitor, and all but {@code registered} are read under it too. {@code
 * registered} is volatile: the courtesy decisions read it under a file table's monitor, where the
 * registry's monitor is never taken.
 */
final class ClientState {
  final LockClient client;

  /** Lock records of this client over all files (the per-client limit). */
  final AtomicLong locks = new PaddedCounter();

  /** Files where this client may have locks, opens or waiters (a superset; pruned lazily). */
  final Set<FileHandle> files = ConcurrentHashMap.newKeySet();

  /**
   * When the client was last heard of. Read as a volatile; written by {@link #seen} with release
   * semantics only (no fence: a request of the client writes it when its reading is later, and a
   * reader that sees a value a few nanoseconds old decides nothing differently). Two requests
   * racing may leave the earlier of their readings, a tick behind at most, as before.
   */
  volatile long lastSeenNanos;

  private static final VarHandle LAST_SEEN;

  static {
    try {
      LAST_SEEN =
          MethodHandles.lookup().findVarHandle(ClientState.class, "lastSeenNanos", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** Set once the registry dropped this state; file tables that remember it must look again. */
  volatile boolean forgotten;

  volatile boolean registered; // explicitly registered and not unregistered since
  boolean counted; // counted against its adapter's connection cap
  String remoteAddress = "";
  Duration ttl = Duration.ZERO;
  LockScheduler.Timer releaseTimer;
  long generation;

  /**
   * The lock counter, padded behind its value: written by every grant and release of the client, so
   * counters of clients busy on different threads must not share a cache line.
   */
  @SuppressWarnings("serial")
  private static final class PaddedCounter extends AtomicLong {
    long p1, p2, p3, p4, p5, p6, p7;
  }

  ClientState(LockClient client, long nowNanos) {
    this.client = client;
    this.lastSeenNanos = nowNanos;
  }

  /** Records that the client was heard of at {@code nowNanos}. */
  void seen(long nowNanos) {
    if (nowNanos - lastSeenNanos > 0) {
      // requests are stamped from a coarse clock, whose reading stays for a tick (10 ms): the
      // requests of that tick write nothing, so the line stays clean for the other cores that read
      // it or share it (a client's threads; a state next to another thread's, see
      // benchmarks/README)
      LAST_SEEN.setRelease(this, nowNanos);
    }
  }
}
