package org.dittofs.metadata.lock;

import java.util.logging.Level;
import java.util.logging.Logger;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Silences the lock bundle's log below SEVERE for test classes that fail the store on purpose
 * (every failed write logs a warning with its stack trace) or restart managers by the hundred:
 * {@code @ExtendWith(QuietLockLog.class)} on the class, the level restored after it.
 */
public final class QuietLockLog implements BeforeAllCallback, AfterAllCallback {
  private static final Logger LOG = Logger.getLogger("org.dittofs.metadata.lock");
  private static Level saved;

  @Override
  public void beforeAll(ExtensionContext context) {
    quiet();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    restore();
  }

  public static synchronized void quiet() {
    saved = LOG.getLevel();
    LOG.setLevel(Level.SEVERE);
  }

  public static synchronized void restore() {
    LOG.setLevel(saved);
  }
}
