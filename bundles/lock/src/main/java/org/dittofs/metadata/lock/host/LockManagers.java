package org.dittofs.metadata.lock.host;

import java.time.Clock;
import java.util.Objects;
import org.dittofs.metadata.errors.StoreErrors;
import org.dittofs.metadata.lock.internal.DefaultLockManager;
import org.dittofs.metadata.lock.internal.EventMetrics;
import org.dittofs.metadata.lock.internal.SystemLockScheduler;
import org.dittofs.metadata.lock.spi.LockCluster;
import org.dittofs.metadata.lock.spi.LockStore;

/**
 * The plain-Java entry point: creates lock managers without any OSGi framework (embedding, tests,
 * benchmarks). In an OSGi container the metadata bundle creates its manager through this class too.
 *
 * <pre>{@code
 * LockManager locks = LockManagers.builder().build();
 * FileHandle file = FileHandle.of("inode-42");
 * LockResult r = locks.lock(LockRequest.builder(file, LockOwner.of("nlm:host:1:oh"))
 *     .share("export").client(new LockClient("host", "nlm"))
 *     .posix().exclusive().range(ByteRange.span(0, 100)).build());
 * }</pre>
 */
public final class LockManagers {
  private LockManagers() {}

  /**
   * A scheduler over the system clocks with one daemon timer thread, for components that share the
   * lock manager's notion of time.
   */
  public static LockScheduler systemScheduler() {
    return new SystemLockScheduler();
  }

  /** A builder with the defaults of docs/lock-semantics.md. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * New metrics derived from lock events, every value at zero. They are a {@link
   * LockEventListener}: feed them a manager's events and read them with {@link
   * LockMetrics#snapshot()}.
   */
  public static LockMetrics metrics() {
    return new EventMetrics();
  }

  /** Configures and creates a {@link LockManager}; not thread-safe. */
  public static final class Builder {
    private long epoch = 1;
    private Clock clock;
    private LockConfig config = LockConfig.DEFAULTS;
    private LockScheduler scheduler;
    private LockStore store;
    private final java.util.List<LockEventListener> listeners = new java.util.ArrayList<>();
    private LockCluster cluster;

    private Builder() {}

    /**
     * The server epoch stamped on new records and ids when there is no store [1]; with a store the
     * epoch is the store's, incremented at start. Must be at least 0.
     */
    public Builder epoch(long epoch) {
      if (epoch < 0) {
        throw StoreErrors.invalidArgument("epoch must be at least 0, got " + epoch);
      }
      this.epoch = epoch;
      return this;
    }

    /**
     * The clock that stamps acquisition times [system UTC]; used only when no {@link #scheduler} is
     * given.
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Longest owner id in UTF-8 bytes [1024]; a value {@code <= 0} disables the limit. */
    public Builder maxOwnerIdBytes(int max) {
      this.config = config.toBuilder().maxOwnerIdBytes(max).build();
      return this;
    }

    /** Limits, timeouts, grace and fairness [{@link LockConfig#DEFAULTS}]. */
    public Builder config(LockConfig config) {
      this.config = Objects.requireNonNull(config, "config");
      return this;
    }

    /**
     * Time and timers [a daemon timer thread over the system clock]. Tests pass a scheduler they
     * drive by hand.
     */
    public Builder scheduler(LockScheduler scheduler) {
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
      return this;
    }

    /**
     * The store the manager persists to and recovers from [none: nothing survives the manager]. At
     * start the store's epoch is incremented, its records are restored and, if it held any or was
     * not shut down cleanly, the grace period begins.
     */
    public Builder store(LockStore store) {
      this.store = Objects.requireNonNull(store, "store");
      return this;
    }

    /**
     * Cluster mode (docs/cluster.md): the manager is one node of {@code cluster}, sharing its lock
     * space with the managers of the other nodes through the cluster's database. It joins the
     * cluster at build, takes the cluster's epoch and restores nothing: each file's committed state
     * is loaded when the file is first used, and every operation, releases included, commits before
     * it answers. A {@link #store} is then optional; the hot swap and blocking requests are refused
     * with NOT_SUPPORTED.
     */
    public Builder cluster(LockCluster cluster) {
      this.cluster = Objects.requireNonNull(cluster, "cluster");
      return this;
    }

    /** A listener registered before start, so it also sees the restore and grace events. */
    public Builder listener(LockEventListener listener) {
      listeners.add(Objects.requireNonNull(listener, "listener"));
      return this;
    }

    /**
     * Creates and starts the manager.
     *
     * @throws org.dittofs.metadata.errors.StoreError STORE_UNAVAILABLE if the store (or the
     *     cluster) cannot be read at start
     */
    public LockManager build() {
      LockScheduler s = scheduler;
      if (s == null) {
        s = clock == null ? new SystemLockScheduler() : new SystemLockScheduler(clock);
      }
      return DefaultLockManager.start(
          config, s, scheduler == null, store, epoch, listeners, cluster);
    }
  }
}
