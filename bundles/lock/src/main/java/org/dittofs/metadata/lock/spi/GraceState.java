package org.dittofs.metadata.lock.spi;

import java.time.Duration;
import java.util.Set;
import org.dittofs.metadata.lock.LockClient;

/**
 * The cluster's grace period (SPEC 11) as committed in the store: entered once, when the cluster
 * starts cold with records of its last run (or after a shutdown that was not clean), for every
 * node. A record is restored while grace runs if its epoch is older than the cluster's.
 *
 * @param active whether it runs
 * @param remaining time left until it ends at the latest, by the store's clock (zero when over)
 * @param expected the clients of the records restored when it was entered
 * @param completed the clients that declared their reclaims complete at any node
 * @param restoredLocks lock records restored when it was entered
 * @param restoredOpens opens restored when it was entered
 * @param reclaimed records reclaimed at any node
 */
public record GraceState(
    boolean active,
    Duration remaining,
    Set<LockClient> expected,
    Set<LockClient> completed,
    int restoredLocks,
    int restoredOpens,
    int reclaimed) {
  public GraceState {
    expected = Set.copyOf(expected);
    completed = Set.copyOf(completed);
  }

  /** No grace period. */
  public static final GraceState NONE =
      new GraceState(false, Duration.ZERO, Set.of(), Set.of(), 0, 0, 0);
}
