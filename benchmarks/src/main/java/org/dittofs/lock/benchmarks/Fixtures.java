package org.dittofs.lock.benchmarks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.dittofs.metadata.lock.ByteRange;
import org.dittofs.metadata.lock.FileHandle;
import org.dittofs.metadata.lock.LockClient;
import org.dittofs.metadata.lock.LockFlavour;
import org.dittofs.metadata.lock.LockOwner;
import org.dittofs.metadata.lock.LockRequest;
import org.dittofs.metadata.lock.LockResult;
import org.dittofs.metadata.lock.LockType;
import org.dittofs.metadata.lock.UnlockRequest;
import org.dittofs.metadata.lock.host.LockConfig;
import org.dittofs.metadata.lock.host.LockManager;
import org.dittofs.metadata.lock.host.LockManagers;

/** The shapes every workload shares: requests, layouts of held locks, configuration. */
final class Fixtures {
  static final String DITTOFS = "dittofs";
  static final String BASELINE = "baseline";
  static final String SHARE = "export";

  /** Byte stride between the background locks of a file: lock i holds [STRIDE*i, STRIDE*i+4]. */
  static final long STRIDE = 10;

  /** Loggers kept reachable so that their levels stay set. */
  private static final java.util.List<java.util.logging.Logger> QUIET = new java.util.ArrayList<>();

  private Fixtures() {}

  /**
   * Silences the INFO logging of the lock manager and the metadata service (swaps, grace), which
   * would otherwise interleave with JMH's output. Warnings still show.
   */
  static synchronized void quietLogs() {
    for (String name : new String[] {"org.dittofs", "org.h2", "com.zaxxer"}) {
      java.util.logging.Logger l = java.util.logging.Logger.getLogger(name);
      l.setLevel(java.util.logging.Level.WARNING);
      QUIET.add(l);
    }
  }

  /**
   * The defaults of docs/lock-semantics.md with the record limits switched off (a file holds
   * 100,000 locks in these workloads and a manager a million).
   */
  static LockConfig unlimited() {
    return LockConfig.builder().maxLocksPerFile(0).maxLocksPerClient(0).maxLocksTotal(0).build();
  }

  /** A manager without a store, as {@code LockManagers.builder()} makes it. */
  static LockManager manager() {
    return LockManagers.builder().config(unlimited()).build();
  }

  static FileHandle file(String name) {
    return FileHandle.of("bench-file-" + name);
  }

  static LockClient client(String name) {
    return new LockClient("bench-" + name, "nlm");
  }

  static LockOwner owner(String name) {
    return LockOwner.of("nlm:bench:" + name);
  }

  static LockRequest posix(
      FileHandle file, LockOwner owner, LockClient client, LockType type, ByteRange range) {
    return LockRequest.builder(file, owner)
        .share(SHARE)
        .client(client)
        .posix()
        .type(type)
        .range(range)
        .build();
  }

  static UnlockRequest unlock(FileHandle file, LockOwner owner, ByteRange range) {
    return new UnlockRequest(file, owner, LockFlavour.POSIX, range);
  }

  /** The i-th background lock's range: 5 bytes every {@link #STRIDE}; neighbours never touch. */
  static ByteRange slot(long i) {
    return ByteRange.span(STRIDE * i, 5);
  }

  /** The free gap after slot i: the 5 bytes between two background locks. */
  static ByteRange gap(long i) {
    return ByteRange.span(STRIDE * i + 5, 5);
  }

  /**
   * Fills {@code file} with {@code n} POSIX locks of {@code owner}, alternately SHARED and
   * EXCLUSIVE, at {@link #slot}s 0..n-1.
   */
  static void fill(Table t, FileHandle file, LockOwner owner, LockClient client, int n) {
    for (int i = 0; i < n; i++) {
      LockType type = i % 2 == 0 ? LockType.SHARED : LockType.EXCLUSIVE;
      granted(t.lock(posix(file, owner, client, type, slot(i))));
    }
  }

  static LockResult granted(LockResult r) {
    if (!r.granted()) {
      throw new IllegalStateException("benchmark setup: expected a grant, got " + r);
    }
    return r;
  }

  /** A fresh directory under {@code java.io.tmpdir}. */
  static Path tempDir(String prefix) {
    try {
      return Files.createTempDirectory(prefix);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void deleteTree(Path dir) {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
