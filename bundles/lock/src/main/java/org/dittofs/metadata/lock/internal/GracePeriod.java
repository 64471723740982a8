package org.dittofs.metadata.lock.internal;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.dittofs.metadata.lock.FileHandle;
import org.dittofs.metadata.lock.GraceStatus;
import org.dittofs.metadata.lock.LockClient;
import org.dittofs.metadata.lock.host.LockScheduler;

/**
 * The grace period after a restart (SPEC 11): whether it runs, until when, which clients are
 * expected, which declared their reclaims complete, and how many restored records are still
 * outstanding (neither reclaimed nor released). The restored records themselves are marked in their
 * file tables.
 *
 * <p>In cluster mode ({@code clustered}) the grace period is the cluster's (docs/cluster.md, SPEC
 * 11): this object is the node's view of it (whether it runs here, its timer, the reclaims made
 * here and not yet counted in the cluster), and whether grace may end early is asked of the cluster
 * ({@link ClusterRecovery}) whenever a restored record leaves a table here.
 *
 * <p>Concurrency: {@code active} is volatile so the request path checks it without locking; every
 * other field is guarded by this object's monitor, a leaf lock (taken inside file monitors, never
 * the other way round). {@link #endEarly} and the timer run the {@link Ending} outside the monitor.
 */
final class GracePeriod {
  /** What ends the grace period: releases the restored records nobody reclaimed, once. */
  @FunctionalInterface
  interface Ending {
    void end(boolean early);
  }

  private final LockScheduler scheduler;
  private final boolean clustered;
  private volatile boolean active;
  private long endNanos;
  private Set<LockClient> expected = Set.of();
  private final Set<LockClient> completed = new HashSet<>();
  private final Set<FileHandle> files = new HashSet<>();
  private int restored;
  private int outstanding;
  private int reclaimed;
  private int unreported; // cluster mode: reclaims made here not yet counted by the cluster
  private LockScheduler.Timer timer;
  private Ending ending;

  GracePeriod(LockScheduler scheduler) {
    this(scheduler, false);
  }

  /** A grace period; {@code clustered}: the cluster's, as this node sees it. */
  GracePeriod(LockScheduler scheduler, boolean clustered) {
    this.scheduler = scheduler;
    this.clustered = clustered;
  }

  boolean active() {
    return active;
  }

  /** Starts the grace period; {@code ending} runs when it runs out or ends early. */
  synchronized void enter(
      Set<LockClient> expectedClients,
      Set<FileHandle> restoredFiles,
      int restoredRecords,
      Duration length,
      Ending ending) {
    this.ending = ending;
    expected = Set.copyOf(expectedClients);
    files.addAll(restoredFiles);
    restored = restoredRecords;
    outstanding = restoredRecords;
    endNanos = scheduler.nanoTime() + length.toNanos();
    active = true;
    timer = scheduler.schedule(() -> ending.end(false), length);
  }

  /**
   * Ends the grace period now, as its {@link Ending} does (nothing if it never started or already
   * ended). Called with no table monitor held: the ending works on every restored file.
   */
  void endEarly() {
    Ending e;
    synchronized (this) {
      e = ending;
    }
    if (e != null) {
      e.end(true);
    }
  }

  /** Whole seconds left, rounded up; 0 when inactive. */
  synchronized long secondsLeft() {
    if (!active) {
      return 0;
    }
    long left = endNanos - scheduler.nanoTime();
    return left <= 0 ? 0 : (left + 999_999_999L) / 1_000_000_000L;
  }

  /**
   * Counts a reclaim. Returns whether grace should now end early (in cluster mode: whether the
   * cluster must be asked).
   */
  synchronized boolean reclaimed() {
    reclaimed++;
    unreported++;
    return restoredGone(1);
  }

  /** Cluster mode: the reclaims made here since the last call, to be counted by the cluster. */
  synchronized int takeUnreported() {
    int n = unreported;
    unreported = 0;
    return n;
  }

  /**
   * Cluster mode: runs the ending's timer again in {@code delay} (the cluster's clock said later).
   */
  synchronized void rescheduleEnd(Duration delay) {
    if (active && ending != null) {
      Ending e = ending;
      endNanos = scheduler.nanoTime() + delay.toNanos();
      if (timer != null) {
        timer.cancel();
      }
      timer = scheduler.schedule(() -> e.end(false), delay);
    }
  }

  /**
   * Counts restored records that left the tables (reclaimed or released); negative for pieces a
   * split added. Returns whether grace should now end early.
   */
  synchronized boolean restoredGone(int n) {
    if (clustered) {
      return active && n > 0; // the count is the cluster's
    }
    outstanding -= n;
    return active && outstanding <= 0 && restored > 0;
  }

  /** Records a reclaim-complete declaration. Returns whether grace should now end early. */
  synchronized boolean complete(LockClient client) {
    if (!active) {
      return false;
    }
    completed.add(client);
    return !expected.isEmpty() && completed.containsAll(expected);
  }

  /**
   * Ends the grace period once.
   *
   * @return the files holding restored state, or null if it had already ended
   */
  synchronized Set<FileHandle> end() {
    if (!active) {
      return null;
    }
    active = false;
    if (timer != null) {
      timer.cancel();
      timer = null;
    }
    Set<FileHandle> out = Set.copyOf(files);
    files.clear();
    return out;
  }

  synchronized int reclaimedCount() {
    return reclaimed;
  }

  synchronized GraceStatus status() {
    long left = secondsLeftNanos();
    return new GraceStatus(
        active, Duration.ofNanos(left), expected, Set.copyOf(completed), restored, reclaimed);
  }

  private long secondsLeftNanos() {
    return active ? Math.max(0, endNanos - scheduler.nanoTime()) : 0;
  }
}
