package org.dittofs.metadata.lock.concurrent;

import org.dittofs.metadata.lock.internal.LaneSettings;

/**
 * {@link OneFileScenario} in memory (no store), the file giving its owners lanes at once ({@link
 * LaneSettings#atOnce}): each thread's owner works in its own lane where the fast path applies, and
 * conflicts, waiters and opens go through the file's table; the histories must be linearizable with
 * respect to the same {@link OneFileSpec}.
 */
public class LanesScenario extends OneFileScenario {
  public LanesScenario() {
    super(null);
    LaneSettings.atOnce(m);
  }
}
