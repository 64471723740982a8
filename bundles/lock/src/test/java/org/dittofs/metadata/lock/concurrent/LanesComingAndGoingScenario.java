package org.dittofs.metadata.lock.concurrent;

import org.dittofs.metadata.lock.internal.LaneSettings;

/**
 * {@link LanesScenario} with lanes that are dissolved where the owners' records meet and made again
 * ({@link LaneSettings#comingAndGoing}): fast paths, detours and dissolutions interleave; the
 * histories must be linearizable with respect to the same {@link OneFileSpec}.
 */
public class LanesComingAndGoingScenario extends OneFileScenario {
  public LanesComingAndGoingScenario() {
    super(null);
    LaneSettings.comingAndGoing(m);
  }
}
