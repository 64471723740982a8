package org.dittofs.metadata.lock.internal;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.dittofs.metadata.lock.FileHandle;
import org.dittofs.metadata.lock.LockClient;
import org.dittofs.metadata.lock.LockScheduler;

/**
 * What the manager knows of one client. {@code locks} and {@code files} are thread-safe on their
 * own; {@code lastSeenNanos} is volatile (written by every request of the client); the registration
 * fields ({@code registered}, {@code remoteAddress}, {@code ttl}, {@code releaseTimer}, {@code
 * generation}) are guarded by the {@link ClientRegistry}'s monitor.
 */
final class ClientState {
  final LockClient client;

  /** Lock records of this client over all files (the per-client limit). */
  final AtomicLong locks = new AtomicLong();

  /** Files where this client may have locks, opens or waiters (a superset; pruned lazily). */
  final Set<FileHandle> files = ConcurrentHashMap.newKeySet();

  volatile long lastSeenNanos;

  boolean registered; // explicitly registered and not unregistered since
  boolean counted; // counted against its adapter's connection cap
  String remoteAddress = "";
  Duration ttl = Duration.ZERO;
  LockScheduler.Timer releaseTimer;
  long generation;

  ClientState(LockClient client, long nowNanos) {
    this.client = client;
    this.lastSeenNanos = nowNanos;
  }
}
