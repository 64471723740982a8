package org.dittofs.metadata.lock.internal;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.dittofs.metadata.lock.FileHandle;
import org.dittofs.metadata.lock.LockClient;
import org.dittofs.metadata.lock.LockId;
import org.dittofs.metadata.lock.host.LockScheduler;
import org.dittofs.metadata.lock.spi.ClusterListener;
import org.dittofs.metadata.lock.spi.LockCluster;

/**
 * Cluster mode: this node's waiters (the blocking requests its callers wait on) by id, so that a
 * reload of a file's queue finds the live {@link Waiter} behind each of the node's rows, and the
 * notifications that another node decided some of them: each notified file gets an operation that
 * reloads it ({@link TableSync} answers the waiters whose rows say granted or failed, and deletes
 * those rows). After notifications may have been lost, every file with waiters of this node gets
 * one.
 *
 * <p>Concurrency: {@code local} is a concurrent map, written when a waiter is queued and once it is
 * answered; the notification callback only schedules work on the scheduler.
 */
final class ClusterWaits {
  private final ConcurrentHashMap<LockId, Waiter> local = new ConcurrentHashMap<>();
  private final LockScheduler timers;

  ClusterWaits(LockScheduler timers) {
    this.timers = timers;
  }

  /** A waiter of this node joined a queue. */
  void register(Waiter w) {
    local.put(w.id(), w);
  }

  /** A waiter of this node was answered. */
  void unregister(Waiter w) {
    local.remove(w.id(), w);
  }

  /** This node's waiter with this id, or null. */
  Waiter get(LockId id) {
    return local.get(id);
  }

  /** Files where this node has waiters. */
  Set<FileHandle> files() {
    Set<FileHandle> out = new HashSet<>();
    local.values().forEach(w -> out.add(w.request().file()));
    return out;
  }

  /**
   * Starts receiving the cluster's notifications, each handled on the timers' thread: {@code poke}
   * (a no-op operation on the file, which reloads it) for each notified file, and for every file
   * with waiters of this node when notifications may have been lost (then {@code graceEnded} runs
   * too, to look whether grace ended meanwhile); {@code expire} for each client of a dead node this
   * node must release; {@code graceEnded} when another node ended the grace period; {@code
   * quotaWanted} when another node is short of total-limit quota.
   */
  void listen(
      LockCluster cluster,
      Consumer<FileHandle> poke,
      Consumer<LockClient> expire,
      Runnable graceEnded,
      Runnable quotaWanted) {
    cluster.listen(
        new ClusterListener() {
          @Override
          public void changed(FileHandle file) {
            later(
                () -> {
                  if (file != null) {
                    poke.accept(file);
                  } else {
                    files().forEach(poke);
                    graceEnded.run();
                  }
                });
          }

          @Override
          public void expired(LockClient client) {
            later(() -> expire.accept(client));
          }

          @Override
          public void graceEnded() {
            later(graceEnded);
          }

          @Override
          public void quotaWanted() {
            later(quotaWanted);
          }
        });
  }

  private void later(Runnable task) {
    timers.schedule(task, Duration.ZERO);
  }
}
