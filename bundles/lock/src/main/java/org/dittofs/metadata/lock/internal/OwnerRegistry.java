package org.dittofs.metadata.lock.internal;

import java.util.concurrent.ConcurrentHashMap;
import org.dittofs.metadata.errors.StoreErrors;
import org.dittofs.metadata.lock.LockFlavour;
import org.dittofs.metadata.lock.LockOwner;

/**
 * Every owner that holds locks, with its flavour and its number of lock records over all files
 * (SPEC 1: an owner's flavour is fixed by its first request while it holds locks). Lock-free for
 * callers: each owner's entry is changed only inside {@link ConcurrentHashMap#compute}, which is
 * atomic per key, so two requests of one owner with different flavours on different files cannot
 * both be admitted. An entry disappears when its count returns to zero.
 */
final class OwnerRegistry {
  private static final class Entry {
    final LockFlavour flavour;
    long count; // changed only inside compute() on this entry's key

    Entry(LockFlavour flavour) {
      this.flavour = flavour;
    }
  }

  private final ConcurrentHashMap<LockOwner, Entry> owners = new ConcurrentHashMap<>();

  /** Fails with INVALID_ARGUMENT if the owner holds locks of the other flavour. */
  void checkFlavour(LockOwner owner, LockFlavour flavour) {
    Entry e = owners.get(owner);
    if (e != null && e.flavour != flavour) {
      throw mismatch(owner, e.flavour, flavour);
    }
  }

  /**
   * Adds {@code delta} records for the owner, atomically checking the flavour again.
   *
   * @throws org.dittofs.metadata.errors.StoreError INVALID_ARGUMENT on a flavour mismatch (nothing
   *     changed)
   */
  void adjust(LockOwner owner, LockFlavour flavour, int delta) {
    if (delta == 0) {
      return;
    }
    owners.compute(
        owner,
        (k, e) -> {
          if (e == null) {
            e = new Entry(flavour);
          } else if (e.flavour != flavour) {
            throw mismatch(owner, e.flavour, flavour);
          }
          e.count += delta;
          if (e.count < 0) {
            throw new IllegalStateException("negative lock count for owner " + owner);
          }
          return e.count == 0 ? null : e;
        });
  }

  /** The owner's number of lock records over all files. */
  long count(LockOwner owner) {
    Entry e = owners.get(owner);
    return e == null ? 0 : e.count;
  }

  private static RuntimeException mismatch(LockOwner owner, LockFlavour held, LockFlavour asked) {
    return StoreErrors.invalidArgument(
        "owner '"
            + owner
            + "' holds "
            + held
            + " locks; a "
            + asked
            + " request from it is refused (an owner has one flavour while it holds locks)");
  }
}
