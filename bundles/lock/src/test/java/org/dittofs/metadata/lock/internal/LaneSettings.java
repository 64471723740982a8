package org.dittofs.metadata.lock.internal;

import org.dittofs.metadata.lock.host.LockManager;

/** Lane settings of a manager for tests in other packages ({@link Lanes}). */
public final class LaneSettings {
  private LaneSettings() {}

  /** Makes every file of {@code manager} give its owners lanes at once; returns the manager. */
  public static LockManager atOnce(LockManager manager) {
    ((DefaultLockManager) manager).lockTables().laneAfter(0);
    return manager;
  }
}
