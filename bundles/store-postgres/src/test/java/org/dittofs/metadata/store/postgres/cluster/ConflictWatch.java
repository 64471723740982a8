package org.dittofs.metadata.store.postgres.cluster;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;

/**
 * Watches a cluster's database from outside the nodes: a thread reads, over and over, every pair of
 * committed lock records of different owners on one file that overlap with at least one of them
 * EXCLUSIVE (POSIX records only: zero-length WINDOWS locks overlap differently). Each read is one
 * statement, so one consistent snapshot of the committed state: a pair found means two owners held
 * conflicting locks at one moment. Stops at {@link #close}.
 */
final class ConflictWatch implements AutoCloseable {
  private static final String PAIRS =
      "SELECT a.owner, a.type, b.owner, b.type FROM locks a JOIN locks b ON a.file = b.file"
          + " AND a.owner < b.owner AND a.kind = 'LOCK' AND b.kind = 'LOCK'"
          + " AND a.flavour = 'POSIX' AND b.flavour = 'POSIX'"
          + " AND a.range_first <= b.range_last AND b.range_first <= a.range_last"
          + " AND (a.type = 'EXCLUSIVE' OR b.type = 'EXCLUSIVE') LIMIT 1";

  private final List<String> found = new CopyOnWriteArrayList<>();
  private final AtomicLong reads = new AtomicLong();
  private final Thread thread;
  private volatile boolean stop;

  ConflictWatch(DataSource database) {
    thread =
        new Thread(
            () -> {
              try (Connection c = database.getConnection();
                  PreparedStatement ps = c.prepareStatement(PAIRS)) {
                while (!stop) {
                  try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                      found.add(
                          rs.getString(1)
                              + " "
                              + rs.getString(2)
                              + " and "
                              + rs.getString(3)
                              + " "
                              + rs.getString(4));
                    }
                  }
                  reads.incrementAndGet();
                }
              } catch (SQLException e) {
                found.add("the watch failed: " + e);
              }
            },
            "conflict-watch");
    thread.setDaemon(true);
    thread.start();
  }

  /** The conflicting pairs seen so far (empty if none). */
  List<String> found() {
    return List.copyOf(found);
  }

  /** How many snapshots were read. */
  long reads() {
    return reads.get();
  }

  @Override
  public void close() {
    stop = true;
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
