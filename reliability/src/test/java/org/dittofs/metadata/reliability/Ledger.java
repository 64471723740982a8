package org.dittofs.metadata.reliability;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * The parent's account of what each client thread was acknowledged, fed with the child's journal in
 * line order, and what the store may therefore hold after a kill.
 *
 * <p>Per thread it keeps the acknowledged state (every acknowledged request applied), the state
 * whose writes are known to have landed, the acknowledged releases in between whose writes may not
 * have landed yet, and the request in flight (journalled, not acknowledged). A write is known to
 * have landed when a later grant was acknowledged: the manager writes through one FIFO queue and
 * acknowledges a grant only once its write landed, so every write queued before it landed too. A
 * release of any thread acknowledged before the grant was sent was queued before the grant's write;
 * the line order of the journal is that real-time order.
 *
 * <p>So the store of a killed child may hold, for each thread, exactly one of: the landed state
 * with a prefix of the releases in between applied, or (if a request was in flight and could write)
 * the acknowledged state with that request applied. {@link #candidates} lists them.
 *
 * <p>Not thread-safe: one test thread feeds it.
 */
final class Ledger {
  private record Released(Op op, String openId, long ackLine) {}

  private static final class History {
    ThreadState landed = new ThreadState();
    final List<Released> pending = new ArrayList<>();
    ThreadState acknowledged = new ThreadState();
    Op inflight;
    long inflightSeq = -1;
    long inflightLine;
  }

  private final History[] threads;
  private final BiConsumer<Op, Ack> observer;
  private long line;

  /**
   * @param observer sees every acknowledged request with its answer (statistics, checks)
   */
  Ledger(int threads, BiConsumer<Op, Ack> observer) {
    this.threads = new History[threads];
    for (int i = 0; i < threads; i++) {
      this.threads[i] = new History();
    }
    this.observer = observer;
  }

  int threads() {
    return threads.length;
  }

  /** A {@code REQ} line: the request is in flight from now on. */
  void request(int thread, long seq, Op op) {
    History h = threads[thread];
    line++;
    if (h.inflight != null) {
      throw new IllegalStateException(
          "thread " + thread + " sent " + op + " while " + h.inflight + " was in flight");
    }
    h.inflight = op;
    h.inflightSeq = seq;
    h.inflightLine = line;
  }

  /** An {@code ACK} line: the request in flight is answered. */
  void acknowledge(int thread, long seq, Ack ack) {
    History h = threads[thread];
    line++;
    if (h.inflight == null || h.inflightSeq != seq) {
      throw new IllegalStateException("thread " + thread + " acknowledged " + seq + " not sent");
    }
    Op op = h.inflight;
    long sent = h.inflightLine;
    h.inflight = null;
    observer.accept(op, ack);
    if (!ack.ok()) {
      if (op.kind() == Op.Kind.UNLOCK
          && op.flavour() == org.dittofs.metadata.lock.LockFlavour.WINDOWS
          && ack.failedWith("LOCK_NOT_FOUND")
          && h.acknowledged.holdsWindows(op)) {
        throw new IllegalStateException(
            "thread " + thread + ": " + op + " refused with LOCK_NOT_FOUND, but the lock is held");
      }
      return;
    }
    switch (h.acknowledged.apply(op, ack.openId())) {
      case SYNC -> {
        for (History other : threads) {
          land(other, sent);
        }
        h.landed = h.acknowledged.copy();
        h.pending.clear();
      }
      case ASYNC -> h.pending.add(new Released(op, ack.openId(), line));
      case NONE -> {}
    }
  }

  /** The acknowledged state of a thread (no request in flight counted). */
  ThreadState acknowledged(int thread) {
    return threads[thread].acknowledged;
  }

  /** The request a thread had in flight, or null. */
  Op inflight(int thread) {
    return threads[thread].inflight;
  }

  /** How many acknowledged releases of a thread are not known to have landed. */
  int unlanded(int thread) {
    return threads[thread].pending.size();
  }

  /**
   * The states the store may hold for a thread after a kill, first the landed state, last the
   * acknowledged state with the request in flight applied (when there is one that could write).
   */
  List<ThreadState> candidates(int thread) {
    History h = threads[thread];
    List<ThreadState> out = new ArrayList<>();
    ThreadState s = h.landed.copy();
    out.add(s.copy());
    for (Released r : h.pending) {
      s.apply(r.op(), r.openId());
      out.add(s.copy());
    }
    if (h.inflight != null) {
      ThreadState x = h.acknowledged.copy();
      try {
        x.apply(h.inflight, ThreadState.UNKNOWN_ID);
        out.add(x);
      } catch (IllegalStateException cannotLand) {
        // a release of something not held changes nothing: no further state
      }
    }
    return out;
  }

  /**
   * Starts a new life of the service: each thread's state is what it reclaimed, all of it landed,
   * nothing in flight.
   */
  void restart(int thread, ThreadState reclaimed) {
    History h = threads[thread];
    h.landed = reclaimed.copy();
    h.acknowledged = reclaimed.copy();
    h.pending.clear();
    h.inflight = null;
  }

  /** The releases of {@code h} acknowledged before {@code sentLine} have landed. */
  private static void land(History h, long sentLine) {
    while (!h.pending.isEmpty() && h.pending.get(0).ackLine() < sentLine) {
      Released r = h.pending.remove(0);
      h.landed.apply(r.op(), r.openId());
    }
  }
}
