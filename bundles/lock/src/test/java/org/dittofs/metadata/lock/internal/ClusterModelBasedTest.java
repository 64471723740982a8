package org.dittofs.metadata.lock.internal;

import java.util.ArrayList;
import java.util.List;
import org.dittofs.metadata.lock.testing.InMemoryLockCluster;
import org.junit.jupiter.api.Test;

/**
 * The model-based test of the lock table ({@link ModelBasedLockTableTest}: random operations of
 * every kind against the brute-force {@link ReferenceLockModel}, full state compared after every
 * step) on a cluster of lock managers sharing an {@link InMemoryLockCluster}, every call sent to a
 * node drawn at random ({@link RoutedLockManager}): a node answers with state other nodes made,
 * reloads what changed, keeps ids ordered by creation per file (the model checks that a conflict
 * report names the oldest record) and moves its counters with every reload (each node's invariants
 * are checked every {@value #INVARIANTS_EVERY} steps, after it has read every file). The harness
 * and the operation set are the lock table's ({@link ModelRuns}, {@link TableOperations}): a
 * difference is shrunk on fresh clusters and reported with its seed. {@code -Dmodel.seed} and
 * {@code -Dcluster.model.steps} replay or lengthen a run.
 */
class ClusterModelBasedTest {
  private static final long DEFAULT_SEED = 20_261_206L;
  private static final int DEFAULT_STEPS = 10_000;
  private static final int INVARIANTS_EVERY = 97;

  @Test
  void twoNodesAgreeWithTheReferenceModel() {
    run(2);
  }

  @Test
  void threeNodesAgreeWithTheReferenceModel() {
    run(3);
  }

  private static void run(int nodes) {
    long seed = Long.getLong("model.seed", DEFAULT_SEED) + nodes;
    int steps = Integer.getInteger("cluster.model.steps", DEFAULT_STEPS);
    List<RoutedLockManager> started = new ArrayList<>();
    OperationSet<ModelOp> table =
        TableOperations.of(
            () -> {
              RoutedLockManager m = RoutedLockManager.over(new InMemoryLockCluster(), nodes, seed);
              started.add(m);
              int[] n = new int[1];
              return new TableOperations.Target(
                  m,
                  () -> {
                    if (++n[0] % INVARIANTS_EVERY == 0) {
                      m.checkInvariants(ModelHarness.FILES);
                    }
                  });
            });
    OperationSet<ModelOp> cluster =
        new OperationSet<>(
            nodes + " nodes disagree with the reference model", table.fresh(), table.start());
    try {
      ModelRuns.check(
          "cluster model-based test, " + nodes + " nodes",
          cluster,
          seed,
          steps,
          "-Dmodel.seed=" + (seed - nodes) + " -Dcluster.model.steps=" + steps);
      started.get(0).checkInvariants(ModelHarness.FILES);
    } finally {
      started.forEach(RoutedLockManager::close);
    }
  }
}
