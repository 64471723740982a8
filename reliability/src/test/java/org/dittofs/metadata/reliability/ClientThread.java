package org.dittofs.metadata.reliability;

import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.dittofs.metadata.errors.StoreError;
import org.dittofs.metadata.lock.ByteRange;
import org.dittofs.metadata.lock.Lock;
import org.dittofs.metadata.lock.LockFlavour;
import org.dittofs.metadata.lock.LockId;
import org.dittofs.metadata.lock.LockRequest;
import org.dittofs.metadata.lock.LockResult;
import org.dittofs.metadata.lock.LockType;
import org.dittofs.metadata.lock.OpenRequest;
import org.dittofs.metadata.lock.PendingLock;
import org.dittofs.metadata.lock.ShareAccess;
import org.dittofs.metadata.lock.ShareReservation;
import org.dittofs.metadata.lock.UnlockRequest;
import org.dittofs.metadata.lock.host.LockManager;

/**
 * One client of the service process: issues random requests of its two owners (grants, upgrades,
 * downgrades, splits and releases of POSIX locks; stacked WINDOWS locks and their exact releases;
 * blocking requests that are granted, time out or are refused as deadlocks; opens, open downgrades
 * and closes), each journalled before the call and acknowledged after it returned. It keeps at most
 * one open per file, so that a reclaim of an open names one open unambiguously.
 *
 * <p>Confined to its own thread, except {@link #stop()}.
 */
final class ClientThread implements Runnable {
  /** How long past its timeout a blocking request may stay unanswered before it counts as hung. */
  private static final long HUNG_AFTER_MILLIS = 60_000;

  private final int id;
  private final LockManager locks;
  private final Journal journal;
  private final Random random;
  private volatile boolean stopped;
  private long seq;

  ClientThread(int id, LockManager locks, Journal journal, long seed) {
    this.id = id;
    this.locks = locks;
    this.journal = journal;
    this.random = new Random(seed);
  }

  void stop() {
    stopped = true;
  }

  /** Continues the journal's numbering of this thread's requests from an earlier run. */
  void continueFrom(long lastSeq) {
    seq = lastSeq;
  }

  long lastSeq() {
    return seq;
  }

  @Override
  public void run() {
    while (!stopped) {
      execute(next());
    }
  }

  /** Journals, calls and acknowledges one request. */
  Ack execute(Op op) {
    long n = ++seq;
    journal.request(id, n, op);
    Ack ack = call(op);
    journal.acknowledge(id, n, ack);
    return ack;
  }

  private Op next() {
    String file = Identities.FILES.get(random.nextInt(Identities.FILES.size()));
    int dice = random.nextInt(100);
    if (dice < 25) {
      return Op.lock(LockFlavour.POSIX, file, range(false), type());
    } else if (dice < 40) {
      return Op.unlock(LockFlavour.POSIX, file, range(false));
    } else if (dice < 48) {
      return Op.await(LockFlavour.POSIX, file, range(false), type(), 20 + random.nextInt(200));
    } else if (dice < 58) {
      return Op.lock(LockFlavour.WINDOWS, file, range(true), type());
    } else if (dice < 63) {
      return Op.await(LockFlavour.WINDOWS, file, range(true), type(), 20 + random.nextInt(200));
    } else if (dice < 73) {
      List<Lock> own = own(file);
      ByteRange r =
          own.isEmpty() || random.nextInt(10) == 0
              ? range(true)
              : own.get(random.nextInt(own.size())).range();
      return Op.unlock(LockFlavour.WINDOWS, file, r);
    }
    ShareReservation open = openOf(file);
    if (open == null) {
      return Op.open(file, modes(true), random.nextInt(4) == 0 ? modes(false) : Set.of());
    }
    if (dice < 80) {
      return Op.downgrade(file, open.id().toString(), subset(open.access()), subset(open.deny()));
    }
    return Op.close(file, open.id().toString());
  }

  private Ack call(Op op) {
    long started = System.nanoTime();
    try {
      String openId = null;
      boolean granted = true;
      LockFlavour f = op.flavour();
      switch (op.kind()) {
        case LOCK -> granted = locks.lock(request(op)) instanceof LockResult.Granted;
        case WAIT -> {
          PendingLock p = locks.lockBlocking(request(op), Duration.ofMillis(op.timeoutMillis()));
          if (!await(p, op.timeoutMillis() + HUNG_AFTER_MILLIS)) {
            return Ack.error("HUNG", millisSince(started));
          }
        }
        case UNLOCK ->
            locks.unlock(
                new UnlockRequest(
                    Identities.handle(op.file()), Identities.owner(id, f), f, op.range()));
        case OPEN ->
            openId =
                locks
                    .open(
                        new OpenRequest(
                            Identities.handle(op.file()),
                            Identities.SHARE,
                            Identities.owner(id, LockFlavour.WINDOWS),
                            Identities.client(id, LockFlavour.WINDOWS),
                            op.access(),
                            op.deny()))
                    .id()
                    .toString();
        case DOWNGRADE ->
            locks.downgrade(
                Identities.handle(op.file()), LockId.parse(op.openId()), op.access(), op.deny());
        case CLOSE -> locks.close(Identities.handle(op.file()), LockId.parse(op.openId()));
      }
      long ms = millisSince(started);
      return granted ? Ack.ok(openId, ms) : Ack.denied(ms);
    } catch (StoreError e) {
      return Ack.error(e.code().name(), millisSince(started));
    } catch (RuntimeException e) {
      return Ack.error("CRASH:" + e.getClass().getName(), millisSince(started));
    }
  }

  /** Waits for the outcome; false if there is none after {@code millis}. */
  private static boolean await(PendingLock p, long millis) {
    try {
      p.completion().toCompletableFuture().get(millis, TimeUnit.MILLISECONDS);
      return true;
    } catch (ExecutionException e) {
      if (e.getCause() instanceof StoreError se) {
        throw se;
      }
      throw new IllegalStateException(e.getCause());
    } catch (TimeoutException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private LockRequest request(Op op) {
    LockRequest.Builder b =
        LockRequest.builder(Identities.handle(op.file()), Identities.owner(id, op.flavour()))
            .share(Identities.SHARE)
            .client(Identities.client(id, op.flavour()))
            .flavour(op.flavour())
            .type(op.type())
            .range(op.range());
    return b.build();
  }

  private List<Lock> own(String file) {
    return locks.locks(Identities.handle(file)).stream()
        .filter(l -> l.owner().equals(Identities.owner(id, LockFlavour.WINDOWS)))
        .toList();
  }

  private ShareReservation openOf(String file) {
    return locks.opens(Identities.handle(file)).stream()
        .filter(o -> o.owner().equals(Identities.owner(id, LockFlavour.WINDOWS)))
        .findFirst()
        .orElse(null);
  }

  /** Offsets 0..47, lengths 1..16; now and then to end of file, or (WINDOWS) zero-length. */
  private ByteRange range(boolean windows) {
    long offset = random.nextInt(48);
    int shape = random.nextInt(20);
    if (shape == 0) {
      return ByteRange.toEnd(offset);
    }
    if (shape == 1 && windows) {
      return ByteRange.zeroLength(offset);
    }
    return ByteRange.span(offset, 1 + random.nextInt(16));
  }

  private LockType type() {
    return random.nextBoolean() ? LockType.SHARED : LockType.EXCLUSIVE;
  }

  private Set<ShareAccess> modes(boolean atLeastOne) {
    Set<ShareAccess> s = EnumSet.noneOf(ShareAccess.class);
    for (ShareAccess a : ShareAccess.values()) {
      if (random.nextBoolean()) {
        s.add(a);
      }
    }
    if (atLeastOne && s.isEmpty()) {
      s.add(ShareAccess.READ);
    }
    return s;
  }

  private Set<ShareAccess> subset(Set<ShareAccess> held) {
    Set<ShareAccess> s = EnumSet.noneOf(ShareAccess.class);
    for (ShareAccess a : held) {
      if (random.nextInt(3) > 0) {
        s.add(a);
      }
    }
    return s;
  }

  private static long millisSince(long started) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
  }
}
