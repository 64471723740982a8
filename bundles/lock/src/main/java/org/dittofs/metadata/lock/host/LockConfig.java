package org.dittofs.metadata.lock.host;

import java.time.Duration;
import org.dittofs.metadata.errors.StoreErrors;

/**
 * The lock manager's configuration: limits, timeouts, grace and fairness, with the defaults of
 * docs/lock-semantics.md. Immutable; every value is validated when the configuration is built, and
 * a bad value is INVALID_ARGUMENT naming the field and the allowed range. For the limits a value
 * {@code <= 0} disables the limit.
 *
 * @param maxLocksPerFile lock records per file [1000]
 * @param maxLocksPerClient lock records per client [10000]
 * @param maxLocksTotal lock records in total [100000]
 * @param maxWaitersPerFile pending requests per file [100]
 * @param maxOwnerIdBytes owner id length in UTF-8 bytes [1024]
 * @param maxConnectionsPerAdapter registered clients per adapter [10000]
 * @param lockTimeout how long a blocking request waits by default [60 s], 1 ms to 1 day
 * @param leaseTime silence after which a client becomes a courtesy client [90 s], 1 s to 1 day
 * @param gracePeriod length of the grace period after a restart [90 s], 0 to 1 day
 * @param storeRetryInterval pause between retries of writes that must land [1 s], 1 ms to 1 hour
 * @param fairness FIFO [default] or BARGING
 */
public record LockConfig(
    int maxLocksPerFile,
    int maxLocksPerClient,
    int maxLocksTotal,
    int maxWaitersPerFile,
    int maxOwnerIdBytes,
    int maxConnectionsPerAdapter,
    Duration lockTimeout,
    Duration leaseTime,
    Duration gracePeriod,
    Duration storeRetryInterval,
    Fairness fairness) {

  /** How a new request is ordered against queued waiters. */
  public enum Fairness {
    /**
     * A new request that conflicts with a waiter queued before it is not granted ahead of it
     * (prevents writer starvation). The default.
     */
    FIFO,
    /** Waiters do not block newcomers (kernel behaviour). */
    BARGING
  }

  private static final Duration DAY = Duration.ofDays(1);

  /** The defaults of docs/lock-semantics.md. */
  public static final LockConfig DEFAULTS =
      new LockConfig(
          1000,
          10000,
          100000,
          100,
          1024,
          10000,
          Duration.ofSeconds(60),
          Duration.ofSeconds(90),
          Duration.ofSeconds(90),
          Duration.ofSeconds(1),
          Fairness.FIFO);

  /**
   * @throws org.dittofs.metadata.errors.StoreError INVALID_ARGUMENT naming the first bad field
   */
  public LockConfig {
    if (fairness == null) {
      throw StoreErrors.invalidArgument(
          "lock configuration field 'fairness' must be FIFO or BARGING");
    }
    checkDuration("lockTimeout", lockTimeout, Duration.ofMillis(1), DAY);
    checkDuration("leaseTime", leaseTime, Duration.ofSeconds(1), DAY);
    checkDuration("gracePeriod", gracePeriod, Duration.ZERO, DAY);
    checkDuration(
        "storeRetryInterval", storeRetryInterval, Duration.ofMillis(1), Duration.ofHours(1));
  }

  private static void checkDuration(String field, Duration d, Duration min, Duration max) {
    if (d == null || d.compareTo(min) < 0 || d.compareTo(max) > 0) {
      throw StoreErrors.invalidArgument(
          "lock configuration field '"
              + field
              + "' is "
              + d
              + "; allowed is "
              + min
              + " to "
              + max);
    }
  }

  /** A builder starting from these values. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /** A builder starting from the defaults. */
  public static Builder builder() {
    return new Builder(DEFAULTS);
  }

  /** Builds a {@link LockConfig}; not thread-safe. */
  public static final class Builder {
    private int maxLocksPerFile;
    private int maxLocksPerClient;
    private int maxLocksTotal;
    private int maxWaitersPerFile;
    private int maxOwnerIdBytes;
    private int maxConnectionsPerAdapter;
    private Duration lockTimeout;
    private Duration leaseTime;
    private Duration gracePeriod;
    private Duration storeRetryInterval;
    private Fairness fairness;

    private Builder(LockConfig c) {
      maxLocksPerFile = c.maxLocksPerFile;
      maxLocksPerClient = c.maxLocksPerClient;
      maxLocksTotal = c.maxLocksTotal;
      maxWaitersPerFile = c.maxWaitersPerFile;
      maxOwnerIdBytes = c.maxOwnerIdBytes;
      maxConnectionsPerAdapter = c.maxConnectionsPerAdapter;
      lockTimeout = c.lockTimeout;
      leaseTime = c.leaseTime;
      gracePeriod = c.gracePeriod;
      storeRetryInterval = c.storeRetryInterval;
      fairness = c.fairness;
    }

    public Builder maxLocksPerFile(int v) {
      maxLocksPerFile = v;
      return this;
    }

    public Builder maxLocksPerClient(int v) {
      maxLocksPerClient = v;
      return this;
    }

    public Builder maxLocksTotal(int v) {
      maxLocksTotal = v;
      return this;
    }

    public Builder maxWaitersPerFile(int v) {
      maxWaitersPerFile = v;
      return this;
    }

    public Builder maxOwnerIdBytes(int v) {
      maxOwnerIdBytes = v;
      return this;
    }

    public Builder maxConnectionsPerAdapter(int v) {
      maxConnectionsPerAdapter = v;
      return this;
    }

    public Builder lockTimeout(Duration v) {
      lockTimeout = v;
      return this;
    }

    public Builder leaseTime(Duration v) {
      leaseTime = v;
      return this;
    }

    public Builder gracePeriod(Duration v) {
      gracePeriod = v;
      return this;
    }

    public Builder storeRetryInterval(Duration v) {
      storeRetryInterval = v;
      return this;
    }

    public Builder fairness(Fairness v) {
      if (v == null) {
        throw StoreErrors.invalidArgument(
            "lock configuration field 'fairness' must be FIFO or BARGING");
      }
      fairness = v;
      return this;
    }

    /** Validates and builds. */
    public LockConfig build() {
      return new LockConfig(
          maxLocksPerFile,
          maxLocksPerClient,
          maxLocksTotal,
          maxWaitersPerFile,
          maxOwnerIdBytes,
          maxConnectionsPerAdapter,
          lockTimeout,
          leaseTime,
          gracePeriod,
          storeRetryInterval,
          fairness);
    }
  }
}
