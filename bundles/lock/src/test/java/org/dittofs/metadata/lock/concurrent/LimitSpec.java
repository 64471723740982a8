package org.dittofs.metadata.lock.concurrent;

/**
 * The sequential specification of {@link LimitScenario} (SPEC 8): WINDOWS locks of owners 0..2 on
 * files 0..2, each owner its own client; at most {@link #PER_CLIENT} records per client and {@link
 * #TOTAL} in total, checked per client first; a refusal changes nothing.
 *
 * <p>Each owner has its own client because a request refused by the total limit holds its
 * per-client reservation for a moment: a concurrent request of the same client can then be refused
 * naming the per-client limit (a soak run with two owners sharing a client found it). Limits never
 * overshoot either way; which one a refusal names is exact only without such a race.
 */
public final class LimitSpec {
  static final int OWNERS = 3;
  static final int FILES = 3;
  static final int PER_CLIENT = 2;
  static final int TOTAL = 3;

  private final int[][] records = new int[OWNERS][FILES];

  static int clientOf(int owner) {
    return owner;
  }

  private int ofClient(int client) {
    int n = 0;
    for (int o = 0; o < OWNERS; o++) {
      if (clientOf(o) == client) {
        for (int f = 0; f < FILES; f++) {
          n += records[o][f];
        }
      }
    }
    return n;
  }

  private int total() {
    int n = 0;
    for (int[] r : records) {
      for (int x : r) {
        n += x;
      }
    }
    return n;
  }

  public String lock(int thread, int file) {
    int o = Math.floorMod(thread, OWNERS);
    if (ofClient(clientOf(o)) + 1 > PER_CLIENT) {
      return "LOCK_LIMIT_EXCEEDED per-client";
    }
    if (total() + 1 > TOTAL) {
      return "LOCK_LIMIT_EXCEEDED total";
    }
    records[o][file]++;
    return "granted";
  }

  public String unlock(int thread, int file) {
    int o = Math.floorMod(thread, OWNERS);
    if (records[o][file] == 0) {
      return "LOCK_NOT_FOUND";
    }
    records[o][file]--;
    return "ok";
  }

  public long count() {
    return total();
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof LimitSpec s && java.util.Arrays.deepEquals(records, s.records);
  }

  @Override
  public int hashCode() {
    return java.util.Arrays.deepHashCode(records);
  }
}
