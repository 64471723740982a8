package org.dittofs.metadata.internal;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.dittofs.metadata.config.ConfigurationValues;
import org.dittofs.metadata.lock.host.LockConfig;

/**
 * The configuration of the metadata service (PID {@value #PID}) read leniently: every field of any
 * type; a value that cannot be used keeps the value in force ({@code previous}) and adds one
 * problem line naming the PID, the field and the reason. The field names and ranges are those of
 * {@link MetadataServiceConfig}, which describes them to the metatype service.
 *
 * @param lock the lock configuration
 * @param sweep the orphan sweep interval (read at the start of a lock manager)
 * @param target the {@code store.target} text, or null if the configuration has none
 * @param problems one line per refused value
 */
record ServiceSettings(LockConfig lock, Duration sweep, String target, List<String> problems) {
  static final String PID = "org.dittofs.metadata.service";
  static final String TARGET = "store.target";
  static final String DEFAULT_TARGET = "(store.type=memory)";
  static final Duration DEFAULT_SWEEP = Duration.ofMinutes(10);

  private static final long DAY_SECONDS = 86_400;

  /** The defaults, before any configuration. */
  static final ServiceSettings DEFAULTS =
      new ServiceSettings(LockConfig.DEFAULTS, DEFAULT_SWEEP, null, List.of());

  /**
   * Reads {@code properties}; absent fields take the defaults, refused ones keep {@code previous}.
   */
  static ServiceSettings read(Map<String, ?> properties, ServiceSettings previous) {
    ConfigurationValues v = new ConfigurationValues(PID, properties);
    LockConfig p = previous.lock();
    LockConfig d = LockConfig.DEFAULTS;
    LockConfig lock =
        LockConfig.builder()
            .maxLocksPerFile(
                limit(v, "max.locks.per.file", p.maxLocksPerFile(), d.maxLocksPerFile()))
            .maxLocksPerClient(
                limit(v, "max.locks.per.client", p.maxLocksPerClient(), d.maxLocksPerClient()))
            .maxLocksTotal(limit(v, "max.locks.total", p.maxLocksTotal(), d.maxLocksTotal()))
            .maxWaitersPerFile(
                limit(v, "max.waiters.per.file", p.maxWaitersPerFile(), d.maxWaitersPerFile()))
            .maxOwnerIdBytes(
                limit(v, "max.owner.id.bytes", p.maxOwnerIdBytes(), d.maxOwnerIdBytes()))
            .maxConnectionsPerAdapter(
                limit(
                    v,
                    "max.connections.per.adapter",
                    p.maxConnectionsPerAdapter(),
                    d.maxConnectionsPerAdapter()))
            .lockTimeout(
                seconds(
                    v, "lock.timeout.seconds", p.lockTimeout(), d.lockTimeout(), 1, DAY_SECONDS))
            .leaseTime(
                seconds(v, "lease.time.seconds", p.leaseTime(), d.leaseTime(), 1, DAY_SECONDS))
            .gracePeriod(
                seconds(
                    v, "grace.period.seconds", p.gracePeriod(), d.gracePeriod(), 0, DAY_SECONDS))
            .storeRetryInterval(
                Duration.ofMillis(
                    v.whole(
                        "store.retry.interval.millis",
                        (v.has("store.retry.interval.millis") ? p : d)
                            .storeRetryInterval()
                            .toMillis(),
                        1,
                        3_600_000)))
            .fairness(
                v.choice(
                    "fairness",
                    LockConfig.Fairness.class,
                    v.has("fairness") ? p.fairness() : d.fairness()))
            .build();
    Duration sweep =
        seconds(v, "sweep.interval.seconds", previous.sweep(), DEFAULT_SWEEP, 0, DAY_SECONDS);
    String target = v.has(TARGET) ? v.text(TARGET, previous.target()) : null;
    return new ServiceSettings(lock, sweep, target, v.problems());
  }

  /** A limit: any int (0 or less disables it); absent: the default, refused: the value in force. */
  private static int limit(ConfigurationValues v, String field, int inForce, int byDefault) {
    return v.wholeInt(
        field, v.has(field) ? inForce : byDefault, Integer.MIN_VALUE, Integer.MAX_VALUE);
  }

  private static Duration seconds(
      ConfigurationValues v,
      String field,
      Duration inForce,
      Duration byDefault,
      long min,
      long max) {
    Duration fallback = v.has(field) ? inForce : byDefault;
    return Duration.ofSeconds(v.whole(field, fallback.toSeconds(), min, max));
  }
}
