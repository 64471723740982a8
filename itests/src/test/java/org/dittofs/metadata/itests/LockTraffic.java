package org.dittofs.metadata.itests;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.dittofs.metadata.errors.ErrorCode;
import org.dittofs.metadata.errors.StoreError;
import org.dittofs.metadata.host.MetadataManager;
import org.dittofs.metadata.lock.ByteRange;
import org.dittofs.metadata.lock.FileHandle;
import org.dittofs.metadata.lock.Lock;
import org.dittofs.metadata.lock.LockClient;
import org.dittofs.metadata.lock.LockFlavour;
import org.dittofs.metadata.lock.LockOwner;
import org.dittofs.metadata.lock.LockRequest;
import org.dittofs.metadata.lock.LockResult;
import org.dittofs.metadata.lock.LockType;
import org.dittofs.metadata.lock.OpenRequest;
import org.dittofs.metadata.lock.PendingLock;
import org.dittofs.metadata.lock.ShareAccess;
import org.dittofs.metadata.lock.ShareReservation;
import org.dittofs.metadata.lock.UnlockRequest;
import org.dittofs.metadata.lock.spi.PersistedLock;

/**
 * Live lock traffic of both flavours: several threads, each with a POSIX owner (an NLM client) and
 * a WINDOWS owner (an SMB session), lock, unlock, test, open and close, and queue blocking requests
 * that wait across whatever happens meanwhile (a store swap), on a few shared files, as fast as
 * they can. A slot is 100 bytes: POSIX locks take {@code [100 k, 100 k + 49]} (one owner's never
 * touch, so every grant is one record with exactly the requested range), WINDOWS locks {@code [100
 * k + 50, 100 k + 89]} (they stack and are released by exact range). Owners meet each other:
 * denials, timeouts of waiters and share conflicts are answers, not failures.
 *
 * <p>Each thread remembers what was acknowledged to it: every granted lock and open still held, as
 * the whole record ({@link Locks#describe}: kind, owner, client, flavour, type, range, access,
 * deny, epoch). Any other exception is a failure. {@link #stop} cancels the waiters still queued (a
 * waiter granted before its cancel counts as held) and returns what must be in the store.
 */
final class LockTraffic {
  private static final int SLOTS = 32;
  private static final Duration WAIT = Duration.ofMillis(150);

  private final MetadataManager service;
  private final List<FileHandle> files;
  private final List<Worker> workers = new ArrayList<>();
  private final AtomicBoolean running = new AtomicBoolean();
  private final List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
  private final AtomicLong grants = new AtomicLong();
  private final AtomicLong denials = new AtomicLong();
  private final AtomicLong releases = new AtomicLong();
  private final AtomicLong tests = new AtomicLong();
  private final AtomicLong opens = new AtomicLong();
  private final AtomicLong waits = new AtomicLong();

  LockTraffic(MetadataManager service, String prefix, int threads, int fileCount) {
    this.service = service;
    List<FileHandle> fs = new ArrayList<>();
    for (int i = 0; i < fileCount; i++) {
      fs.add(FileHandle.of(prefix + "-file-" + i));
    }
    this.files = List.copyOf(fs);
    for (int i = 0; i < threads; i++) {
      workers.add(new Worker(prefix, i));
    }
  }

  List<FileHandle> files() {
    return files;
  }

  void start() {
    running.set(true);
    workers.forEach(Thread::start);
  }

  /** Stops the threads and returns every acknowledged lock and open still held, id to record. */
  Map<String, String> stop() throws InterruptedException {
    running.set(false);
    for (Worker w : workers) {
      w.join(ItestSupport.WAIT.toMillis());
      if (w.isAlive()) {
        throw new AssertionError(w.getName() + " did not stop: a request hangs");
      }
    }
    Map<String, String> held = new TreeMap<>();
    for (Worker w : workers) {
      w.settleWaiters(true);
      w.locks
          .values()
          .forEach(l -> held.put(l.id().toString(), Locks.describe(PersistedLock.of(l))));
      w.windows
          .values()
          .forEach(l -> held.put(l.id().toString(), Locks.describe(PersistedLock.of(l))));
      w.openHeld
          .values()
          .forEach(o -> held.put(o.id().toString(), Locks.describe(PersistedLock.of(o))));
    }
    return held;
  }

  List<Throwable> failures() {
    return List.copyOf(failures);
  }

  long requests() {
    return grants.get() + denials.get() + releases.get() + tests.get() + opens.get() + waits.get();
  }

  @Override
  public String toString() {
    return grants
        + " grants, "
        + denials
        + " denials, "
        + releases
        + " releases, "
        + tests
        + " tests, "
        + opens
        + " opens/closes, "
        + waits
        + " blocking requests, "
        + failures.size()
        + " failures";
  }

  private final class Worker extends Thread {
    private final LockOwner owner;
    private final LockOwner windowsOwner;
    private final LockClient client;
    private final LockClient session;
    private final Random random;
    private final Map<Integer, Lock> locks = new HashMap<>(); // POSIX: file * SLOTS + slot
    private final Map<Integer, Lock> windows = new HashMap<>(); // WINDOWS: file * SLOTS + slot
    private final Map<FileHandle, ShareReservation> openHeld = new HashMap<>();
    private final List<PendingLock> waiting = new ArrayList<>();

    Worker(String prefix, int n) {
      super(prefix + "-traffic-" + n);
      this.owner = LockOwner.of("nlm:" + prefix + "-host-" + n + ":" + (100 + n) + ":oh");
      this.windowsOwner = LockOwner.of("smb:" + prefix + "-session-" + n + ":fid-1");
      this.client = new LockClient(prefix + "-host-" + n, "nlm");
      this.session = new LockClient(prefix + "-session-" + n, "smb");
      this.random = new Random(31L * n + prefix.hashCode());
    }

    @Override
    public void run() {
      while (running.get()) {
        try {
          step();
          settleWaiters(false);
        } catch (Throwable t) {
          failures.add(new AssertionError(getName() + ": " + t, t));
        }
      }
    }

    private void step() {
      int key = random.nextInt(files.size() * SLOTS);
      FileHandle file = files.get(key / SLOTS);
      long base = (key % SLOTS) * 100L;
      double p = random.nextDouble();
      if (p < 0.25) {
        posix(file, key, ByteRange.span(base, 50));
      } else if (p < 0.40) {
        service.locks().test(request(file, LockType.EXCLUSIVE, ByteRange.span(base, 50)));
        tests.incrementAndGet();
      } else if (p < 0.65) {
        windows(file, key, ByteRange.span(base + 50, 40));
      } else if (p < 0.85) {
        openOrClose(file);
      } else if (waiting.size() < 2 && !locks.containsKey(key) && !waitingOn(key)) {
        // one request per slot: a second waiter of the same owner on the same bytes would be
        // granted beside the first (an owner does not conflict with itself)
        LockType type = random.nextBoolean() ? LockType.SHARED : LockType.EXCLUSIVE;
        waits.incrementAndGet();
        try {
          waiting.add(
              service.locks().lockBlocking(request(file, type, ByteRange.span(base, 50)), WAIT));
        } catch (StoreError e) {
          if (e.code() != ErrorCode.DEADLOCK) {
            throw e;
          }
          denials.incrementAndGet(); // refused at once: waiting would close a cycle
        }
      }
    }

    private void posix(FileHandle file, int key, ByteRange range) {
      Lock held = locks.remove(key);
      if (held != null) {
        service.locks().unlock(new UnlockRequest(file, owner, LockFlavour.POSIX, range));
        releases.incrementAndGet();
        return;
      }
      if (waitingOn(key)) {
        return; // a queued request of this owner covers it
      }
      LockType type = random.nextBoolean() ? LockType.SHARED : LockType.EXCLUSIVE;
      granted(service.locks().lock(request(file, type, range)), range, owner)
          .ifPresent(l -> locks.put(key, l));
    }

    /** One WINDOWS record per slot (stacking is the lock table's business, tested elsewhere). */
    private void windows(FileHandle file, int key, ByteRange range) {
      if (windows.remove(key) != null) {
        service.locks().unlock(new UnlockRequest(file, windowsOwner, LockFlavour.WINDOWS, range));
        releases.incrementAndGet();
        return;
      }
      LockType type = random.nextBoolean() ? LockType.SHARED : LockType.EXCLUSIVE;
      LockRequest r =
          new LockRequest(
              file, ItestSupport.SHARE, windowsOwner, session, LockFlavour.WINDOWS, type, range);
      granted(service.locks().lock(r), range, windowsOwner).ifPresent(l -> windows.put(key, l));
    }

    private void openOrClose(FileHandle file) {
      ShareReservation o = openHeld.remove(file);
      opens.incrementAndGet();
      if (o != null) {
        service.locks().close(file, o.id());
        return;
      }
      try {
        openHeld.put(
            file,
            service
                .locks()
                .open(
                    new OpenRequest(
                        file,
                        ItestSupport.SHARE,
                        windowsOwner,
                        session,
                        Set.of(ShareAccess.READ),
                        random.nextInt(8) == 0 ? Set.of(ShareAccess.WRITE) : Set.of())));
      } catch (StoreError e) {
        if (e.code() != ErrorCode.SHARE_DENIED) {
          throw e;
        }
        denials.incrementAndGet();
      }
    }

    private Optional<Lock> granted(LockResult r, ByteRange range, LockOwner who) {
      if (r instanceof LockResult.Granted g) {
        Lock l = g.lock();
        if (!l.range().equals(range) || !l.owner().equals(who)) {
          throw new AssertionError("granted " + l + " for " + range);
        }
        grants.incrementAndGet();
        return Optional.of(l);
      }
      denials.incrementAndGet();
      return Optional.empty();
    }

    private boolean waitingOn(int key) {
      FileHandle file = files.get(key / SLOTS);
      ByteRange range = ByteRange.span((key % SLOTS) * 100L, 50);
      return waiting.stream()
          .anyMatch(w -> w.request().file().equals(file) && w.request().range().equals(range));
    }

    /** Takes the outcome of finished waiters; with {@code cancel}, cancels the rest first. */
    private void settleWaiters(boolean cancel) {
      for (var it = waiting.iterator(); it.hasNext(); ) {
        PendingLock w = it.next();
        if (cancel) {
          w.cancel();
        }
        if (!w.isDone()) {
          continue;
        }
        it.remove();
        try {
          Lock l = w.completion().toCompletableFuture().join();
          LockRequest r = w.request();
          int key = files.indexOf(r.file()) * SLOTS + (int) (r.range().first() / 100);
          if (locks.putIfAbsent(key, l) != null) {
            throw new AssertionError("a waiter was granted bytes its owner already held: " + l);
          }
          grants.incrementAndGet();
        } catch (CompletionException e) {
          if (!(e.getCause() instanceof StoreError s)
              || !Set.of(ErrorCode.TIMED_OUT, ErrorCode.CANCELLED, ErrorCode.DEADLOCK)
                  .contains(s.code())) {
            throw e;
          }
          denials.incrementAndGet();
        }
      }
    }

    private LockRequest request(FileHandle file, LockType type, ByteRange range) {
      return new LockRequest(
          file, ItestSupport.SHARE, owner, client, LockFlavour.POSIX, type, range);
    }
  }
}
