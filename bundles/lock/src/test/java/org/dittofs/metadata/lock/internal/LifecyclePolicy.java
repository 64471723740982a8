package org.dittofs.metadata.lock.internal;

import java.time.Duration;
import java.util.Random;
import org.dittofs.metadata.lock.host.LockConfig;

/**
 * The configuration a lifecycle model run is under: fairness, the limits of SPEC 8 (0: off) and the
 * lease of SPEC 9 (0: leases never run out, so no client becomes a courtesy client). The model
 * reads these values; the harness builds the manager's {@link LockConfig} from the same values.
 */
record LifecyclePolicy(
    LockConfig.Fairness fairness,
    int perFile,
    int perClient,
    int total,
    int waitersPerFile,
    int leaseSeconds) {

  /** Seconds between retries of store writes that must land. */
  static final int RETRY_SECONDS = 1;

  /** FIFO, no limits, no lease expiry: the configuration of the original lifecycle test. */
  static final LifecyclePolicy PLAIN = new LifecyclePolicy(LockConfig.Fairness.FIFO, 0, 0, 0, 0, 0);

  /**
   * A policy drawn from {@code rnd}: either fairness, each limit off or small enough to be hit (the
   * generator keeps a few records per file), and a lease short enough that clients fall silent
   * between keep-alives, or none.
   */
  static LifecyclePolicy random(Random rnd) {
    return new LifecyclePolicy(
        rnd.nextBoolean() ? LockConfig.Fairness.FIFO : LockConfig.Fairness.BARGING,
        rnd.nextInt(3) == 0 ? 0 : 3 + rnd.nextInt(6),
        rnd.nextInt(3) == 0 ? 0 : 4 + rnd.nextInt(8),
        rnd.nextInt(3) == 0 ? 0 : 8 + rnd.nextInt(14),
        rnd.nextInt(3) == 0 ? 0 : 1 + rnd.nextInt(4),
        rnd.nextInt(4) == 0 ? 0 : 10 + rnd.nextInt(50));
  }

  boolean barging() {
    return fairness == LockConfig.Fairness.BARGING;
  }

  LockConfig config() {
    return LockConfig.builder()
        .maxLocksPerFile(perFile)
        .maxLocksPerClient(perClient)
        .maxLocksTotal(total)
        .maxWaitersPerFile(waitersPerFile)
        .maxConnectionsPerAdapter(0)
        .lockTimeout(Duration.ofSeconds(LifecycleModel.DEFAULT_TIMEOUT_SECONDS))
        .gracePeriod(Duration.ofSeconds(LifecycleModel.GRACE_SECONDS))
        .leaseTime(leaseSeconds == 0 ? Duration.ofDays(1) : Duration.ofSeconds(leaseSeconds))
        .storeRetryInterval(Duration.ofSeconds(RETRY_SECONDS))
        .fairness(fairness)
        .build();
  }

  @Override
  public String toString() {
    return fairness
        + ", limits per file "
        + perFile
        + ", per client "
        + perClient
        + ", total "
        + total
        + ", waiters per file "
        + waitersPerFile
        + " (0: off), lease "
        + (leaseSeconds == 0 ? "never runs out" : leaseSeconds + "s");
  }
}
