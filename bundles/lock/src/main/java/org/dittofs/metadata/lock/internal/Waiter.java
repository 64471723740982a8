package org.dittofs.metadata.lock.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.dittofs.metadata.errors.StoreError;
import org.dittofs.metadata.lock.Lock;
import org.dittofs.metadata.lock.LockId;
import org.dittofs.metadata.lock.LockRequest;
import org.dittofs.metadata.lock.PendingLock;
import org.dittofs.metadata.lock.host.LockScheduler;

/**
 * A queued blocking request. Its outcome is decided under the file table's monitor ({@link
 * #decide}): from then on {@link #isDone} and {@link #poll} answer it, so a poll after the grant
 * never says "pending" while the lock is already in the table. The {@link CompletableFuture} that
 * carries it to callbacks and {@link #await} is completed exactly once, later, always outside any
 * table monitor (so callbacks may call back into the manager).
 *
 * <p>Concurrency: {@code timer} and the membership of this waiter in its file's queue are guarded
 * by the file table's monitor; {@code outcome} is volatile, written once under that monitor; {@code
 * result} is thread-safe; the other fields are final.
 */
final class Waiter implements PendingLock {
  /**
   * Cancels a queued waiter on behalf of {@link #cancel()}; returns whether it was still queued.
   */
  @FunctionalInterface
  interface Canceller {
    boolean cancel(Waiter w);
  }

  private static final Canceller DONE = w -> false;

  private final LockId id;
  private final LockRequest request;
  private final long enqueuedNanos;
  private final Lock asLock;
  private final CompletableFuture<Lock> result = new CompletableFuture<>();
  private volatile Object outcome; // null, the granted Lock or the StoreError
  private final Canceller canceller;
  private final String node; // cluster mode: the node where a remote waiter waits; null if here
  private LockScheduler.Timer timer; // guarded by the file table's monitor
  private int reserved; // cluster mode: per-client count reserved for the grant; table's monitor
  // its owner's pins settled for it (WaitQueue): NOT_ASKED, then SETTLING (set under the table's
  // monitor), then SETTLED (set by the settle, with no monitor held; volatile)
  private volatile int settle;
  private static final int NOT_ASKED = 0;
  private static final int SETTLING = 1;
  private static final int SETTLED = 2;

  Waiter(
      LockId id,
      LockRequest request,
      Instant enqueuedAt,
      long enqueuedNanos,
      long epoch,
      Canceller canceller) {
    this(id, request, enqueuedAt, enqueuedNanos, epoch, canceller, null);
  }

  private Waiter(
      LockId id,
      LockRequest request,
      Instant enqueuedAt,
      long enqueuedNanos,
      long epoch,
      Canceller canceller,
      String node) {
    this.node = node;
    this.id = id;
    this.request = request;
    this.enqueuedNanos = enqueuedNanos;
    this.canceller = canceller;
    this.asLock =
        new Lock(
            id,
            request.owner(),
            request.client(),
            request.share(),
            request.file(),
            request.range(),
            request.type(),
            request.flavour(),
            enqueuedAt,
            epoch);
  }

  /**
   * Cluster mode: a request queued at another node ({@code node}), in this node's copy of the
   * file's queue. It takes part in fairness, deadlock checks and re-checks like any waiter; its
   * answer is given by its own node, so nothing here completes or times it.
   */
  static Waiter remote(
      LockId id, LockRequest request, Instant enqueuedAt, long epoch, String node) {
    return new Waiter(id, request, enqueuedAt, 0, epoch, DONE, node);
  }

  /**
   * Asks for its owner's pins to be settled ({@link OwnerRegistry.SettleFirst}): true the first
   * time (the caller then has them settled), false once asked. Under the table's monitor.
   */
  boolean askSettle() {
    if (settle != NOT_ASKED) {
      return false;
    }
    settle = SETTLING;
    return true;
  }

  /** Notes that its owner's pins were settled for it: the next check's answer stands. */
  void settled() {
    settle = SETTLED;
  }

  /**
   * It is blocked again: a settle done for it no longer stands for the next time it is free, which
   * asks for one anew. A settle under way stays asked for. Under the table's monitor.
   */
  void blockedAgain() {
    if (settle == SETTLED) {
      settle = NOT_ASKED;
    }
  }

  /** The settle asked for it failed: the next check asks again. By the settle's thread. */
  void settleFailed() {
    settle = NOT_ASKED;
  }

  /** Whether its owner's pins were settled for it once already. */
  boolean wasSettled() {
    return settle == SETTLED;
  }

  /** Records the per-client count reserved for this waiter's grant (cluster mode, SPEC 8). */
  void reserve(int n) {
    reserved = n;
  }

  /** Takes the reservation away, once: what was reserved, then 0. */
  int takeReservation() {
    int n = reserved;
    reserved = 0;
    return n;
  }

  /** Whether this request waits at this node (its caller holds it here). */
  boolean isLocal() {
    return node == null;
  }

  /** The node where a remote waiter waits; null for a local one. */
  String node() {
    return node;
  }

  /** A request granted at once: already complete. */
  static PendingLock granted(LockRequest request, Lock lock) {
    Waiter w = new Waiter(lock.id(), request, lock.acquiredAt(), 0, lock.epoch(), DONE);
    w.outcome = lock;
    w.result.complete(lock);
    return w;
  }

  /**
   * This queued request in the shape of a lock, for the conflict predicate and for reports of a
   * conflict with a waiter (FIFO fairness). It is not in the lock table.
   */
  Lock asLock() {
    return asLock;
  }

  @Override
  public LockId id() {
    return id;
  }

  @Override
  public LockRequest request() {
    return request;
  }

  long enqueuedNanos() {
    return enqueuedNanos;
  }

  @Override
  public boolean isDone() {
    return outcome != null;
  }

  @Override
  public Optional<Lock> poll() {
    Object o = outcome;
    if (o == null) {
      return Optional.empty();
    }
    if (o instanceof StoreError e) {
      throw rethrow(e);
    }
    return Optional.of((Lock) o);
  }

  @Override
  public Optional<Lock> await(Duration timeout) throws InterruptedException {
    try {
      return Optional.of(result.get(timeout.toNanos(), TimeUnit.NANOSECONDS));
    } catch (TimeoutException e) {
      return Optional.empty();
    } catch (ExecutionException e) {
      throw rethrow(e.getCause());
    }
  }

  @Override
  public boolean cancel() {
    return outcome == null && canceller.cancel(this);
  }

  /**
   * Decides the outcome (a granted {@link Lock} or a {@link StoreError}); called under the file
   * table's monitor, before the future is completed.
   */
  void decide(Object lockOrError) {
    outcome = lockOrError;
  }

  @Override
  public CompletionStage<Lock> completion() {
    return result.minimalCompletionStage();
  }

  /** Sets the timer that times the wait out; under the table's monitor. */
  void timer(LockScheduler.Timer t) {
    timer = t;
  }

  /** Cancels the timeout timer, if any; under the table's monitor. */
  void cancelTimer() {
    if (timer != null) {
      timer.cancel();
      timer = null;
    }
  }

  /** Completes with the grant; called by the manager outside any monitor. */
  void complete(Lock lock) {
    result.complete(lock);
  }

  /** Completes with a failure; called by the manager outside any monitor. */
  void fail(StoreError error) {
    result.completeExceptionally(error);
  }

  private static RuntimeException rethrow(Throwable t) {
    if (t instanceof StoreError e) {
      return new StoreError(
          e.code(),
          e.getMessage(),
          e.path().orElse(null),
          e.file().orElse(null),
          e.detail().orElse(null),
          e);
    }
    return new IllegalStateException(t);
  }

  @Override
  public String toString() {
    return "pending " + request.type() + " " + request.range() + " of '" + request.owner() + "'";
  }
}
