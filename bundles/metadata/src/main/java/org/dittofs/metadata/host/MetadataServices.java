package org.dittofs.metadata.host;

import java.time.Duration;
import java.util.Objects;
import org.dittofs.metadata.internal.DefaultMetadataService;
import org.dittofs.metadata.lock.host.LockConfig;
import org.dittofs.metadata.lock.host.LockEventListener;
import org.dittofs.metadata.lock.host.LockManagers;
import org.dittofs.metadata.lock.host.LockScheduler;
import org.dittofs.metadata.spi.MetadataStore;

/**
 * The plain-Java entry point of the metadata layer: starts a {@link MetadataManager} over a store,
 * outside any OSGi framework (tests, embedding). Starting recovers the lock state from the store.
 */
public final class MetadataServices {
  private MetadataServices() {}

  /** A builder for a service over {@code store}. */
  public static Builder over(MetadataStore store) {
    return new Builder(Objects.requireNonNull(store, "store"));
  }

  /**
   * Configures and starts a service; not thread-safe. What concerns the lock manager goes to a
   * {@link LockManagers.Builder}, which the service completes with its store.
   */
  public static final class Builder {
    private final MetadataStore store;
    private final LockManagers.Builder locks = LockManagers.builder();
    private LockScheduler scheduler;
    private Duration sweepInterval = Duration.ofMinutes(10);

    private Builder(MetadataStore store) {
      this.store = store;
    }

    /** The lock manager's configuration [defaults]. */
    public Builder config(LockConfig config) {
      locks.config(config);
      return this;
    }

    /** Time and timers of the service and its lock manager [the system's]. */
    public Builder scheduler(LockScheduler scheduler) {
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
      return this;
    }

    /** How often orphaned lock records are swept [10 minutes]; zero disables the sweep. */
    public Builder sweepInterval(Duration interval) {
      this.sweepInterval = Objects.requireNonNull(interval, "interval");
      return this;
    }

    /** A listener of every lock decision, registered before the restore; each call adds one. */
    public Builder listener(LockEventListener listener) {
      locks.listener(listener);
      return this;
    }

    /** Starts the service: the lock manager restores its state from the store. */
    public MetadataManager start() {
      return DefaultMetadataService.start(store, locks, scheduler, sweepInterval);
    }
  }
}
