package org.dittofs.metadata.lock.internal;

import org.dittofs.metadata.lock.host.LockManager;

/** Lane settings of a manager for tests in other packages ({@link Lanes}). */
public final class LaneSettings {
  private LaneSettings() {}

  /**
   * Makes every file of {@code manager} give its owners lanes at once, never dissolved; returns the
   * manager.
   */
  public static LockManager atOnce(LockManager manager) {
    ((DefaultLockManager) manager).lockTables().lanePolicy(0, Integer.MAX_VALUE, 0);
    return manager;
  }

  /**
   * Makes every file of {@code manager} give its owners lanes at once, dissolved at a lane's first
   * collision and back after 1 lock request (doubling: {@link Lanes}, "colliding owners"), so that
   * short scenarios go through dissolutions too; returns the manager.
   */
  public static LockManager comingAndGoing(LockManager manager) {
    ((DefaultLockManager) manager).lockTables().lanePolicy(0, 2, 1);
    return manager;
  }
}
