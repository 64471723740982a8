package org.dittofs.metadata.store.postgres.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.dittofs.metadata.store.postgres.cluster.Probes.await;
import static org.dittofs.metadata.store.postgres.cluster.Probes.execute;
import static org.dittofs.metadata.store.postgres.cluster.Probes.number;

import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.dittofs.metadata.errors.ErrorCode;
import org.dittofs.metadata.errors.StoreError;
import org.dittofs.metadata.lock.ByteRange;
import org.dittofs.metadata.lock.FileHandle;
import org.dittofs.metadata.lock.LockClient;
import org.dittofs.metadata.lock.LockFlavour;
import org.dittofs.metadata.lock.LockOwner;
import org.dittofs.metadata.lock.LockRequest;
import org.dittofs.metadata.lock.LockResult;
import org.dittofs.metadata.lock.LockType;
import org.dittofs.metadata.lock.host.LockManager;
import org.dittofs.metadata.lock.host.LockManagers;
import org.dittofs.metadata.lock.spi.FileTransaction;
import org.dittofs.metadata.lock.spi.FileWork;
import org.dittofs.metadata.lock.spi.LockCluster;
import org.dittofs.metadata.lock.spi.LockStoreOp;
import org.dittofs.metadata.lock.spi.PersistedLock;
import org.dittofs.metadata.store.jdbc.ClusteredJdbcStore;
import org.dittofs.metadata.store.postgres.PostgresServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Fencing (docs/cluster.md, "Nodes, partitions"), with a real broken connection: the node's
 * membership backend terminated with {@code pg_terminate_backend} while its pool goes on working.
 *
 * <ul>
 *   <li>The node stops granting (STORE_UNAVAILABLE, naming its membership) from the moment it finds
 *       its membership session broken until it has joined again; the other node grants on. The test
 *       keeps the node out by taking its liveness lock itself, queued behind the terminated backend
 *       (so it has it before the node can try), and lets it back by releasing it.
 *   <li>A node that has not noticed (its membership thread never started) has its file transactions
 *       refused by the database once another node has declared it dead: nothing it writes after the
 *       declaration is committed.
 * </ul>
 *
 * Each wait for the cluster to notice is bounded and polled; no assertion depends on a duration.
 */
@ExtendWith(PostgresServer.class)
class ClusterFencingTest {
  private static final Duration BEAT = Duration.ofMillis(200);

  private static LockRequest exclusive(String file, String owner) {
    return LockRequest.builder(FileHandle.of(file), LockOwner.of(owner))
        .share("s")
        .client(new LockClient("c-" + owner, "t"))
        .posix()
        .type(LockType.EXCLUSIVE)
        .range(ByteRange.of(0, 9))
        .build();
  }

  @Test
  void aNodeThatLostItsMembershipSessionGrantsNothingUntilItHasJoinedAgain() throws Exception {
    ClusterDatabase db = ClusterDatabase.named("fencing_self");
    DataSource raw = db.raw();
    try (ClusteredJdbcStore s0 = db.node("n0", BEAT);
        ClusteredJdbcStore s1 = db.node("n1", BEAT);
        LockManager n0 = LockManagers.builder().cluster(s0.lockCluster()).build();
        LockManager n1 = LockManagers.builder().cluster(s1.lockCluster()).build();
        Connection test = raw.getConnection()) {
      assertThat(n0.lock(exclusive("before", "a")).granted()).isTrue();
      long key = number(raw, "SELECT key FROM cluster_nodes WHERE node = 'n0'");

      // the membership backend ends; this session queues for its liveness lock and has it first
      execute(
          test,
          "SELECT pg_terminate_backend(pid), pg_advisory_lock(2002, "
              + key
              + ")"
              + " FROM pg_locks WHERE locktype = 'advisory' AND classid = 2002 AND objid = "
              + key
              + " AND objsubid = 2 AND granted");

      int[] tries = {0};
      StoreError fenced =
          await(
              () -> {
                try {
                  n0.lock(exclusive("f" + tries[0]++, "a"));
                  return null; // granted before it noticed: allowed
                } catch (StoreError e) {
                  return e;
                }
              });
      assertThat(fenced.code()).isEqualTo(ErrorCode.STORE_UNAVAILABLE);
      assertThat(fenced.getMessage()).contains("membership");
      // fenced until it has joined again, which it cannot while this session holds its lock
      for (int i = 0; i < 3; i++) {
        String file = "g" + i;
        StoreError again =
            catchThrowableOfType(() -> n0.lock(exclusive(file, "a")), StoreError.class);
        assertThat(again).isNotNull();
        assertThat(again.code()).isEqualTo(ErrorCode.STORE_UNAVAILABLE);
      }
      assertThat(
              number(
                  raw,
                  "SELECT count(*) FROM locks WHERE owner = 'a'"
                      + " AND convert_from(file, 'UTF8') LIKE 'g%'"))
          .isZero();
      assertThat(n1.lock(exclusive("other", "b")).granted()).as("n1 grants on").isTrue();

      execute(test, "SELECT pg_advisory_unlock(2002, " + key + ")");
      int[] more = {0};
      LockResult back =
          await(
              () -> {
                try {
                  return n0.lock(exclusive("h" + more[0]++, "a"));
                } catch (StoreError e) {
                  return null; // still joining
                }
              });
      assertThat(back.granted()).isTrue();
    }
  }

  @Test
  void aNodeDeclaredDeadHasItsTransactionsRefusedByTheDatabase() throws Exception {
    ClusterDatabase db = ClusterDatabase.named("fencing_db");
    DataSource raw = db.raw();
    // n0's heartbeat is an hour: it neither beats nor fences itself by time in this test
    try (ClusteredJdbcStore s0 = db.node("n0", Duration.ofHours(1));
        ClusteredJdbcStore s1 = db.node("n1", BEAT);
        Connection test = raw.getConnection()) {
      LockCluster c0 = s0.lockCluster();
      c0.join(Duration.ZERO); // joined, but not listening: it will not notice its session ending
      try (LockManager n1 = LockManagers.builder().cluster(s1.lockCluster()).build()) {
        FileHandle f = FileHandle.of("declared");
        AtomicBoolean ran = new AtomicBoolean();
        c0.onFile(f, put(record(f, "r1"), ran));
        assertThat(ran).isTrue();
        long key = number(raw, "SELECT key FROM cluster_nodes WHERE node = 'n0'");

        execute(
            test,
            "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory'"
                + " AND classid = 2002 AND objid = "
                + key
                + " AND objsubid = 2 AND granted");
        await(
            () ->
                number(
                            raw,
                            "SELECT count(*) FROM cluster_nodes WHERE node = 'n0' AND dead_at IS NOT NULL")
                        == 1
                    ? Boolean.TRUE
                    : null);

        ran.set(false);
        StoreError refused =
            catchThrowableOfType(() -> c0.onFile(f, put(record(f, "r2"), ran)), StoreError.class);
        assertThat(refused).isNotNull();
        assertThat(refused.code()).isEqualTo(ErrorCode.STORE_UNAVAILABLE);
        assertThat(refused.getMessage()).contains("declared dead");
        assertThat(ran).as("the work never ran").isFalse();
        assertThat(number(raw, "SELECT count(*) FROM locks WHERE id = 'r2'")).isZero();
        assertThat(number(raw, "SELECT count(*) FROM locks WHERE id = 'r1'")).isOne();
        assertThat(n1.lock(exclusive("other", "b")).granted()).isTrue();
      } finally {
        c0.leave();
      }
    }
  }

  private static PersistedLock record(FileHandle f, String id) {
    return new PersistedLock(
        id,
        PersistedLock.Kind.LOCK,
        "s",
        f,
        "o-" + id,
        "c-" + id,
        "t",
        LockFlavour.POSIX,
        LockType.EXCLUSIVE,
        ByteRange.of(0, 9),
        Set.of(),
        Set.of(),
        Instant.ofEpochSecond(1_700_000_000L),
        1);
  }

  private static FileWork<Void> put(PersistedLock r, AtomicBoolean ran) {
    return new FileWork<>() {
      @Override
      public Void run(FileTransaction tx) {
        ran.set(true);
        tx.write(List.of(new LockStoreOp.Put(r)));
        return null;
      }

      @Override
      public void settled(long version) {}
    };
  }
}
