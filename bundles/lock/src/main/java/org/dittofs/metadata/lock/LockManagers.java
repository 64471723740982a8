package org.dittofs.metadata.lock;

import java.time.Clock;
import java.util.Objects;
import org.dittofs.metadata.errors.StoreErrors;
import org.dittofs.metadata.lock.internal.DefaultLockManager;
import org.dittofs.metadata.lock.internal.EventMetrics;

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

  /** A builder with the defaults of SPEC.md. */
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
    private Clock clock = Clock.systemUTC();
    private int maxOwnerIdBytes = 1024;

    private Builder() {}

    /** The server epoch stamped on new records and ids [1]. Must be at least 0. */
    public Builder epoch(long epoch) {
      if (epoch < 0) {
        throw StoreErrors.invalidArgument("epoch must be at least 0, got " + epoch);
      }
      this.epoch = epoch;
      return this;
    }

    /** The clock that stamps acquisition times [system UTC]. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Longest owner id in UTF-8 bytes [1024]; a value {@code <= 0} disables the limit. */
    public Builder maxOwnerIdBytes(int max) {
      this.maxOwnerIdBytes = max;
      return this;
    }

    /** Creates the manager. */
    public LockManager build() {
      return new DefaultLockManager(epoch, clock, maxOwnerIdBytes);
    }
  }
}
