package org.dittofs.metadata.lock;

import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Silences the lock bundle's log below SEVERE for test classes that fail the store on purpose
 * (every failed write logs a warning with its stack trace) or restart managers by the hundred.
 */
public final class QuietLockLog {
  private static final Logger LOG = Logger.getLogger("org.dittofs.metadata.lock");
  private static Level saved;

  private QuietLockLog() {}

  public static synchronized void quiet() {
    saved = LOG.getLevel();
    LOG.setLevel(Level.SEVERE);
  }

  public static synchronized void restore() {
    LOG.setLevel(saved);
  }
}
