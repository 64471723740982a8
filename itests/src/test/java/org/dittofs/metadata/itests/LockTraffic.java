package org.dittofs.metadata.itests;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
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
import org.dittofs.metadata.lock.UnlockRequest;

/**
 * Live lock traffic: several threads, each one POSIX owner of its own client, lock, unlock and test
 * random slots of a few shared files as fast as they can. A slot is {@code [100 k, 100 k + 49]}, so
 * one owner's locks never touch and every grant is one record with exactly the requested range;
 * owners do meet each other (denials are answers, not failures).
 *
 * <p>Each thread remembers what was acknowledged to it: every granted record still held. Any
 * exception from the lock manager is a failure. {@link #stop} returns what must be in the store.
 */
final class LockTraffic {
  private static final int SLOTS = 32;

  private final MetadataManager service;
  private final List<FileHandle> files;
  private final List<Worker> workers = new ArrayList<>();
  private final AtomicBoolean running = new AtomicBoolean();
  private final List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
  private final AtomicLong grants = new AtomicLong();
  private final AtomicLong denials = new AtomicLong();
  private final AtomicLong releases = new AtomicLong();
  private final AtomicLong tests = new AtomicLong();

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

  /** Stops the threads and returns every acknowledged lock still held, id to range. */
  Map<String, ByteRange> stop() throws InterruptedException {
    running.set(false);
    for (Worker w : workers) {
      w.join(ItestSupport.WAIT.toMillis());
      if (w.isAlive()) {
        throw new AssertionError(w.getName() + " did not stop: a request hangs");
      }
    }
    Map<String, ByteRange> held = new TreeMap<>();
    for (Worker w : workers) {
      for (Lock l : w.held.values()) {
        held.put(l.id().toString(), l.range());
      }
    }
    return held;
  }

  List<Throwable> failures() {
    return List.copyOf(failures);
  }

  long requests() {
    return grants.get() + denials.get() + releases.get() + tests.get();
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
        + failures.size()
        + " failures";
  }

  private final class Worker extends Thread {
    private final LockOwner owner;
    private final LockClient client;
    private final Random random;
    private final Map<Integer, Lock> held = new HashMap<>(); // file * SLOTS + slot

    Worker(String prefix, int n) {
      super(prefix + "-traffic-" + n);
      this.owner = LockOwner.of("nlm:" + prefix + "-host-" + n + ":" + (100 + n) + ":oh");
      this.client = new LockClient(prefix + "-host-" + n, "nlm");
      this.random = new Random(31L * n + prefix.hashCode());
    }

    @Override
    public void run() {
      while (running.get()) {
        try {
          step();
        } catch (Throwable t) {
          failures.add(new AssertionError(getName() + ": " + t, t));
        }
      }
    }

    private void step() {
      int key = random.nextInt(files.size() * SLOTS);
      FileHandle file = files.get(key / SLOTS);
      ByteRange range = ByteRange.span((key % SLOTS) * 100L, 50);
      double p = random.nextDouble();
      if (!held.isEmpty() && p < 0.35) {
        Lock l = held.remove(held.keySet().iterator().next());
        service.locks().unlock(new UnlockRequest(l.file(), owner, LockFlavour.POSIX, l.range()));
        releases.incrementAndGet();
      } else if (p < 0.55) {
        service.locks().test(request(file, LockType.EXCLUSIVE, range)); // any answer is fine
        tests.incrementAndGet();
      } else if (!held.containsKey(key)) {
        LockType type = random.nextBoolean() ? LockType.SHARED : LockType.EXCLUSIVE;
        LockResult r = service.locks().lock(request(file, type, range));
        if (r instanceof LockResult.Granted g) {
          Lock l = g.lock();
          if (!l.range().equals(range) || !l.owner().equals(owner)) {
            throw new AssertionError("granted " + l + " for " + range);
          }
          held.put(key, l);
          grants.incrementAndGet();
        } else {
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
