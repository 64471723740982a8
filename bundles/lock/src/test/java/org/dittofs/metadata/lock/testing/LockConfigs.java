package org.dittofs.metadata.lock.testing;

import java.time.Duration;
import org.dittofs.metadata.lock.host.LockConfig;

/** Lock configurations for tests. */
public final class LockConfigs {
  private LockConfigs() {}

  /**
   * Every field set, each to a value of its own that is not its default: the limits 7 to 12, the
   * lock timeout, lease and grace period 13, 14 and 15 s, the store retry 16 ms, BARGING.
   */
  public static LockConfig everyFieldSet() {
    return LockConfig.builder()
        .maxLocksPerFile(7)
        .maxLocksPerClient(8)
        .maxLocksTotal(9)
        .maxWaitersPerFile(10)
        .maxOwnerIdBytes(11)
        .maxConnectionsPerAdapter(12)
        .lockTimeout(Duration.ofSeconds(13))
        .leaseTime(Duration.ofSeconds(14))
        .gracePeriod(Duration.ofSeconds(15))
        .storeRetryInterval(Duration.ofMillis(16))
        .fairness(LockConfig.Fairness.BARGING)
        .build();
  }
}
