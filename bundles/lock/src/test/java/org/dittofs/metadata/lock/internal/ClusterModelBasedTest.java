package org.dittofs.metadata.lock.internal;

import static org.assertj.core.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.dittofs.metadata.lock.internal.ModelHarness.Mismatch;
import org.dittofs.metadata.lock.testing.InMemoryLockCluster;
import org.junit.jupiter.api.Test;

/**
 * The model-based test of the lock table ({@link ModelBasedLockTableTest}: random operations of
 * every kind against the brute-force {@link ReferenceLockModel}, full state compared after every
 * step) on a cluster of lock managers sharing an {@link InMemoryLockCluster}, every call sent to a
 * node drawn at random ({@link RoutedLockManager}): a node answers with state other nodes made,
 * reloads what changed, keeps ids ordered by creation per file (the model checks that a conflict
 * report names the oldest record) and moves its counters with every reload (each node's invariants
 * are checked every {@value #INVARIANTS_EVERY} steps, after it has read every file). {@code
 * -Dmodel.seed} and {@code -Dcluster.model.steps} replay or lengthen a run.
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
    RoutedLockManager m = RoutedLockManager.over(new InMemoryLockCluster(), nodes, seed);
    int[] n = new int[1];
    ModelHarness h =
        new ModelHarness(
            m,
            () -> {
              if (++n[0] % INVARIANTS_EVERY == 0) {
                m.checkInvariants(ModelHarness.FILES);
              }
            });
    ModelOpGenerator gen = new ModelOpGenerator(new Random(seed), h.model());
    List<ModelOp> recent = new ArrayList<>();
    for (int i = 0; i < steps; i++) {
      ModelOp op = gen.next();
      recent.add(op);
      if (recent.size() > 30) {
        recent.remove(0);
      }
      try {
        h.step(op);
      } catch (Mismatch e) {
        StringBuilder b =
            new StringBuilder(
                nodes
                    + " nodes disagree with the reference model at step "
                    + (i + 1)
                    + " (seed "
                    + seed
                    + "): "
                    + e.getMessage()
                    + "\nlast operations:\n");
        recent.forEach(o -> b.append("  ").append(o).append('\n'));
        fail(b.toString());
      }
    }
    m.checkInvariants(ModelHarness.FILES);
    System.out.println(
        "cluster model-based test: " + nodes + " nodes, seed " + seed + ", " + steps + " steps");
    m.close();
  }
}
