package org.dittofs.metadata.store.postgres.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.dittofs.metadata.store.postgres.PostgresServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Per-file linearizability under concurrency: three nodes in child JVMs, four threads each, all
 * fighting for the same bytes of one file at once ({@link MutualExclusion}). While it holds a
 * granted lock, each owner reads the database for a committed conflicting lock of any other owner:
 * there must never be one, every node must have been granted some, and no operation may fail. At
 * the end the file holds nothing.
 */
@ExtendWith(PostgresServer.class)
class ClusterMutualExclusionTest {
  @Test
  void noTwoOwnersHoldConflictingLocksAtOnce() {
    try (ClusterHarness h = ClusterHarness.start("exclusion", 3)) {
      List<CompletableFuture<String>> runs = new ArrayList<>();
      for (int i = 0; i < h.size(); i++) {
        NodeProcess n = h.node(i);
        runs.add(
            CompletableFuture.supplyAsync(() -> n.send("exclusive hot " + n.node() + " 4 60")));
      }
      for (CompletableFuture<String> r : runs) {
        System.out.println("mutual exclusion: " + r.join());
        String[] w = r.join().split(" ");
        assertThat(w[0]).as(r.join()).isEqualTo("EXCLUSIVE");
        assertThat(Long.parseLong(w[3])).as("violations: " + r.join()).isZero();
        assertThat(Long.parseLong(w[4])).as("errors: " + r.join()).isZero();
        assertThat(Long.parseLong(w[1])).as("grants: " + r.join()).isPositive();
      }
      assertThat(h.node(0).send("locks hot")).isEqualTo("LOCKS");
    }
  }
}
