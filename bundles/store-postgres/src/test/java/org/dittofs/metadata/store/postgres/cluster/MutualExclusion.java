package org.dittofs.metadata.store.postgres.cluster;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.dittofs.metadata.errors.StoreError;
import org.dittofs.metadata.lock.ByteRange;
import org.dittofs.metadata.lock.FileHandle;
import org.dittofs.metadata.lock.LockClient;
import org.dittofs.metadata.lock.LockFlavour;
import org.dittofs.metadata.lock.LockOwner;
import org.dittofs.metadata.lock.LockRequest;
import org.dittofs.metadata.lock.LockType;
import org.dittofs.metadata.lock.UnlockRequest;
import org.dittofs.metadata.lock.host.LockManager;

/**
 * A node's side of the mutual-exclusion test: {@code exclusive FILE PREFIX THREADS ITERATIONS}.
 * Each thread is an owner ({@code PREFIX-t}) that, over and over, asks for a lock on bytes every
 * other owner of every node also wants (EXCLUSIVE 0-99 or, every third time, SHARED 50-149), and
 * while it holds a granted one reads from the database, on a connection of its own, every committed
 * lock record of another owner that conflicts with it, and its own record. A conflicting record
 * seen while the lock is held means two owners held conflicting locks at one moment, and a granted
 * lock missing from the database is an acknowledged grant lost: violations. Then it releases. An
 * owner never granted in its iterations goes on trying until it is (30 s at most). Each owner's
 * client ({@code PREFIX-t}) registers first (ttl 0), so its state belongs to this node.
 *
 * <p>Answers {@code EXCLUSIVE grants denials violations errors [first violation]}.
 */
final class MutualExclusion {
  private MutualExclusion() {}

  static String run(LockManager m, String url, String user, String line) {
    String[] w = line.split(" ");
    FileHandle file = FileHandle.of(w[1]);
    String prefix = w[2];
    int threads = Integer.parseInt(w[3]);
    int iterations = Integer.parseInt(w[4]);
    AtomicLong grants = new AtomicLong();
    AtomicLong denials = new AtomicLong();
    AtomicLong violations = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    List<String> seen = java.util.Collections.synchronizedList(new ArrayList<>());
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        String owner = prefix + "-" + t;
        done.add(
            pool.submit(
                () -> {
                  try (Connection c = DriverManager.getConnection(url, user, null)) {
                    m.registerClient(
                        new LockClient(owner, NodeCommands.ADAPTER), "test", Duration.ZERO);
                    // past its iterations, an owner that was never granted goes on trying (30 s
                    // at most): non-blocking requests have no fairness, and a node whose
                    // attempts all met another node's lock would not have taken part
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                    int mine = 0;
                    for (int i = 0;
                        i < iterations || (mine == 0 && System.nanoTime() - deadline < 0);
                        i++) {
                      if (i >= iterations) {
                        TimeUnit.MILLISECONDS.sleep(1);
                      }
                      boolean exclusive = i % 3 != 2;
                      ByteRange r = exclusive ? ByteRange.of(0, 99) : ByteRange.of(50, 149);
                      LockRequest req =
                          LockRequest.builder(file, LockOwner.of(owner))
                              .share(NodeCommands.SHARE)
                              .client(new LockClient(owner, NodeCommands.ADAPTER))
                              .posix()
                              .type(exclusive ? LockType.EXCLUSIVE : LockType.SHARED)
                              .range(r)
                              .build();
                      try {
                        if (!m.lock(req).granted()) {
                          denials.incrementAndGet();
                          continue;
                        }
                        grants.incrementAndGet();
                        mine++;
                        String v = conflicting(c, file, owner, r, exclusive);
                        if (v == null && !held(c, file, owner)) {
                          v = "its granted lock is not in the database";
                        }
                        if (v != null) {
                          violations.incrementAndGet();
                          seen.add(owner + " holds " + req.type() + " " + r + " while " + v);
                        }
                        m.unlock(
                            new UnlockRequest(file, LockOwner.of(owner), LockFlavour.POSIX, r));
                      } catch (StoreError e) {
                        errors.incrementAndGet();
                        seen.add(owner + ": " + e);
                      }
                    }
                  } catch (SQLException | InterruptedException e) {
                    throw new IllegalStateException(e);
                  }
                  return null;
                }));
      }
      for (Future<?> f : done) {
        f.get();
      }
    } catch (Exception e) {
      throw new IllegalStateException(e);
    } finally {
      pool.shutdownNow();
    }
    return "EXCLUSIVE "
        + grants
        + " "
        + denials
        + " "
        + violations
        + " "
        + errors
        + (seen.isEmpty() ? "" : " first: " + seen.get(0));
  }

  /** Whether {@code owner} has a committed lock record on {@code file}. */
  private static boolean held(Connection c, FileHandle file, String owner) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("SELECT 1 FROM locks WHERE kind = 'LOCK' AND file = ? AND owner = ?")) {
      ps.setBytes(1, file.bytes());
      ps.setString(2, owner);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }

  /** A committed lock of another owner that conflicts with {@code r}, described, or null. */
  private static String conflicting(
      Connection c, FileHandle file, String owner, ByteRange r, boolean exclusive)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT owner, type FROM locks WHERE kind = 'LOCK' AND file = ? AND owner <> ?"
                + " AND range_first <= ? AND range_last >= ?"
                + (exclusive ? "" : " AND type = 'EXCLUSIVE'"))) {
      ps.setBytes(1, file.bytes());
      ps.setString(2, owner);
      ps.setLong(3, r.last() ^ Long.MIN_VALUE);
      ps.setLong(4, r.first() ^ Long.MIN_VALUE);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getString(1) + " holds " + rs.getString(2) : null;
      }
    }
  }
}
