package org.dittofs.metadata.errors;

import java.util.List;
import java.util.Objects;

/**
 * Structured detail of a {@link StoreError}, for callers that answer with more than a status code
 * (the holder of a conflicting lock in NLM4_DENIED, the blockers of a deadlock in a log line). All
 * variants are immutable.
 */
public sealed interface ErrorDetail
    permits ErrorDetail.Conflict, ErrorDetail.Deadlock, ErrorDetail.Grace, ErrorDetail.Limit {

  /**
   * The lock that conflicts with a request. Offsets are unsigned 64-bit values; {@code last} is
   * inclusive; a zero-length (Windows) range has {@code zeroLength} set and {@code last == first}.
   *
   * @param lockId id of the conflicting lock, or {@code null} when it is a pending request
   * @param owner opaque owner id of the holder
   * @param first first byte (unsigned)
   * @param last last byte, inclusive (unsigned)
   * @param zeroLength whether the range is a zero-length Windows range at {@code first}
   * @param exclusive whether the conflicting lock is EXCLUSIVE (else SHARED)
   */
  record Conflict(
      String lockId, String owner, long first, long last, boolean zeroLength, boolean exclusive)
      implements ErrorDetail {
    public Conflict {
      Objects.requireNonNull(owner, "owner");
    }

    @Override
    public String toString() {
      String range =
          zeroLength
              ? "zero-length at " + Long.toUnsignedString(first)
              : "[" + Long.toUnsignedString(first) + ", " + Long.toUnsignedString(last) + "]";
      return (exclusive ? "EXCLUSIVE" : "SHARED")
          + " lock "
          + (lockId == null ? "(pending)" : lockId)
          + " of owner '"
          + owner
          + "' on "
          + range;
    }
  }

  /**
   * A refused wait: the waiter and the owners it would wait on that close the cycle.
   *
   * @param waiter owner id of the request that was refused
   * @param blockers owner ids of the cycle, in wait-for order starting after the waiter
   */
  record Deadlock(String waiter, List<String> blockers) implements ErrorDetail {
    public Deadlock {
      Objects.requireNonNull(waiter, "waiter");
      blockers = List.copyOf(blockers);
    }
  }

  /**
   * A refusal during the grace period.
   *
   * @param secondsLeft whole seconds until the grace period ends at the latest (rounded up)
   */
  record Grace(long secondsLeft) implements ErrorDetail {}

  /**
   * A limit that was reached.
   *
   * @param limit which limit, e.g. {@code per-file}, {@code per-client}, {@code total}, {@code
   *     waiters-per-file}, {@code owner-id-length}, {@code connections-per-adapter}
   * @param current the count at the time of the refusal
   * @param max the configured maximum
   */
  record Limit(String limit, long current, long max) implements ErrorDetail {
    public Limit {
      Objects.requireNonNull(limit, "limit");
    }
  }
}
