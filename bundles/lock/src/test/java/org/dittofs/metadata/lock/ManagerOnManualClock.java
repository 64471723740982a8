package org.dittofs.metadata.lock;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.dittofs.metadata.lock.host.LockConfig;
import org.dittofs.metadata.lock.host.LockEvent;
import org.dittofs.metadata.lock.host.LockEventListener;
import org.dittofs.metadata.lock.host.LockManager;
import org.dittofs.metadata.lock.host.LockManagers;
import org.dittofs.metadata.lock.internal.LockTableInvariants;
import org.dittofs.metadata.lock.spi.LockStore;
import org.dittofs.metadata.lock.testing.ManualScheduler;
import org.junit.jupiter.api.AfterEach;

/**
 * Tests of one manager without a store on virtual time ({@link ManualScheduler}: nothing sleeps),
 * its events collected; a test may replace it with one of another configuration ({@link #use}).
 * After each test the table invariants must hold, and the manager is closed.
 */
abstract class ManagerOnManualClock {
  protected final ManualScheduler clock = new ManualScheduler();

  /** Every event of the current manager (safe to publish into from several threads). */
  protected final List<LockEvent> events = new CopyOnWriteArrayList<>();

  protected LockManager locks = manager(LockConfig.DEFAULTS);

  protected final LockManager manager(LockConfig config) {
    return LockManagers.builder().scheduler(clock).config(config).listener(events::add).build();
  }

  /**
   * A manager on {@code clock} over {@code store} with {@code config}, publishing to {@code
   * listeners}: for the tests that keep their own clock and store.
   */
  static LockManager over(
      ManualScheduler clock, LockStore store, LockConfig config, LockEventListener... listeners) {
    LockManagers.Builder b = LockManagers.builder().scheduler(clock).store(store).config(config);
    for (LockEventListener l : listeners) {
      b.listener(l);
    }
    return b.build();
  }

  /** The lock the manager grants for {@code r}; fails the test if it is not granted. */
  protected final Lock grant(LockRequest r) {
    return Answers.grant(locks, r);
  }

  /** The events of {@code type} so far, in order. */
  protected final <T extends LockEvent> List<T> eventsOf(Class<T> type) {
    return events.stream().filter(type::isInstance).map(type::cast).toList();
  }

  /** Closes the manager and starts one with {@code config}, its events from nothing. */
  protected final void use(LockConfig config) {
    locks.close();
    locks = manager(config);
    events.clear();
  }

  @AfterEach
  final void invariantsHoldAndManagerCloses() {
    LockTableInvariants.check(locks);
    locks.close();
  }
}
