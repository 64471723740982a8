package org.dittofs.metadata.lock;

import java.time.Duration;
import java.util.Set;

/**
 * The state of the grace period.
 *
 * @param active whether the grace period is running
 * @param remaining time left until it ends at the latest (zero when inactive)
 * @param expectedClients clients of the restored records
 * @param completedClients expected clients that declared their reclaims complete
 * @param restoredRecords records restored at start
 * @param reclaimedRecords restored records reclaimed so far
 */
public record GraceStatus(
    boolean active,
    Duration remaining,
    Set<LockClient> expectedClients,
    Set<LockClient> completedClients,
    int restoredRecords,
    int reclaimedRecords) {
  public GraceStatus {
    expectedClients = Set.copyOf(expectedClients);
    completedClients = Set.copyOf(completedClients);
  }
}
