package org.dittofs.metadata.reliability;

import java.util.ArrayList;
import java.util.List;

/**
 * What a run of kills measured, for one store. The two figures that must be zero are {@link #lost}
 * and {@link #backAfterGrace}; {@link #failures} lists every check that failed, with what was
 * expected and found. Not thread-safe.
 */
final class KillFigures {
  final String store;

  /** SIGKILLs sent (each confirmed by exit value 137). */
  int kills;

  /** Requests journalled and acknowledged over all lives of the service. */
  long acknowledged;

  /** Requests in flight (sent, not acknowledged) at the kills, over all threads. */
  int inflight;

  /** ... of which the restarted service restored the effect (the write had landed). */
  int inflightLanded;

  /** Threads whose restored state was an earlier one: acknowledged releases not landed yet. */
  int releasesNotLanded;

  /** Acknowledged, unreleased records not restored (must be 0). */
  int lost;

  /** Records held after grace that are not what was reclaimed (must be 0). */
  int backAfterGrace;

  /** Reclaims sent after the restarts, and how many were refused (predicted exactly). */
  int reclaims;

  int reclaimsRefused;
  final List<String> failures = new ArrayList<>();

  KillFigures(String store) {
    this.store = store;
  }

  void fail(String what) {
    failures.add(what);
  }

  @Override
  public String toString() {
    return store
        + ": "
        + kills
        + " kills, "
        + acknowledged
        + " requests acknowledged, "
        + inflight
        + " in flight at a kill ("
        + inflightLanded
        + " had landed), "
        + releasesNotLanded
        + " restarts of a thread with released records back in grace, "
        + reclaims
        + " reclaims ("
        + reclaimsRefused
        + " refused as predicted), acknowledged records lost: "
        + lost
        + ", records back after grace: "
        + backAfterGrace
        + ", failed checks: "
        + failures.size();
  }
}
