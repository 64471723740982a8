package org.dittofs.metadata.lock.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import org.dittofs.metadata.lock.LockId;
import org.dittofs.metadata.lock.ShareAccess;
import org.dittofs.metadata.lock.ShareReservation;

/**
 * The opens of one file with O(1) share-reservation checks (SPEC 6): for each of the three bits it
 * keeps how many opens hold it in their access and how many in their deny. A new open with access A
 * and deny D conflicts iff some bit of A is denied by an open or some bit of D is accessed by an
 * open. Not thread-safe: guarded by the owning {@link FileLockTable}'s monitor.
 */
final class OpenTable {
  private static final ShareAccess[] BITS = ShareAccess.values();

  // created by the first open: most files never see one, and every file table has an OpenTable
  private TreeMap<LockId, ShareReservation> opens;
  private int[] accessCount;
  private int[] denyCount;

  boolean isEmpty() {
    return opens == null || opens.isEmpty();
  }

  int size() {
    return opens == null ? 0 : opens.size();
  }

  ShareReservation get(LockId id) {
    return opens == null ? null : opens.get(id);
  }

  /**
   * Null if an open with these masks is compatible with every open, else a sentence naming the
   * clash.
   */
  String conflict(int access, int deny) {
    if (opens == null) {
      return null;
    }
    for (ShareAccess b : BITS) {
      int i = b.ordinal();
      if ((access & b.bit()) != 0 && denyCount[i] > 0) {
        return "access " + b + " is denied by " + denyCount[i] + " open(s)";
      }
      if ((deny & b.bit()) != 0 && accessCount[i] > 0) {
        return "deny " + b + " clashes with " + accessCount[i] + " open(s) holding that access";
      }
    }
    return null;
  }

  void add(ShareReservation r) {
    if (opens == null) {
      opens = new TreeMap<>();
      accessCount = new int[BITS.length];
      denyCount = new int[BITS.length];
    }
    opens.put(r.id(), r);
    count(r, 1);
  }

  void remove(ShareReservation r) {
    if (opens != null && opens.remove(r.id()) != null) {
      count(r, -1);
    }
  }

  List<ShareReservation> all() {
    return opens == null ? new ArrayList<>() : new ArrayList<>(opens.values());
  }

  /** The counters, for invariant checks: {access[READ..DELETE], deny[READ..DELETE]}. */
  int[] counters() {
    int[] c = new int[BITS.length * 2];
    if (opens == null) {
      return c;
    }
    System.arraycopy(accessCount, 0, c, 0, BITS.length);
    System.arraycopy(denyCount, 0, c, BITS.length, BITS.length);
    return c;
  }

  private void count(ShareReservation r, int delta) {
    int a = r.accessMask();
    int d = r.denyMask();
    for (ShareAccess b : BITS) {
      if ((a & b.bit()) != 0) {
        accessCount[b.ordinal()] += delta;
      }
      if ((d & b.bit()) != 0) {
        denyCount[b.ordinal()] += delta;
      }
    }
  }
}
