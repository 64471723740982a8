package org.dittofs.metadata.store.testkit;

import org.dittofs.metadata.spi.MetadataStore;

/**
 * How the conformance suite gets a store, in the style of Jackrabbit Oak's {@code
 * DocumentStoreFixture}: each store module implements one fixture and runs the abstract suites of
 * this kit with it.
 *
 * <p>Life cycle, driven by the suites: one fixture object per test; {@link #isAvailable()} is asked
 * first (an unavailable fixture fails the test, it is never skipped); {@link #create()} once; then,
 * for durable fixtures, any number of rounds of "the suite closes the current store, calls {@link
 * #reopen()}"; finally {@link #dispose()}, also after a failure. A suite closes a store it got from
 * the fixture by {@code if (store instanceof AutoCloseable c) c.close()}; stores that hold
 * connections or files implement {@link AutoCloseable} for that.
 *
 * <p>Not thread-safe: a fixture belongs to the test that created it.
 */
public interface StoreFixture {

  /** A short name for reports ({@code memory}, {@code h2}, {@code postgres}). */
  String name();

  /**
   * Whether the backend can be reached here. A suite fails (never skips) a test whose fixture is
   * unavailable, so a missing database shows up as a red build, not as silently fewer tests.
   */
  default boolean isAvailable() {
    return true;
  }

  /**
   * Whether {@link #reopen()} is supported: the store keeps its data across a close and reopen (a
   * restart of the server). The restart suite runs only on durable fixtures.
   */
  default boolean isDurable() {
    return false;
  }

  /**
   * A fresh, empty store: no shares, no files, no lock records, server epoch 0, clean-shutdown
   * marker unset. Called once per test.
   */
  MetadataStore create();

  /**
   * A new store object over the same durable data as the store of the previous {@link #create()} or
   * {@code reopen()}, which the caller has closed before. Committed data is all there; uncommitted
   * data is not.
   *
   * @throws UnsupportedOperationException if the fixture is not durable ({@link #isDurable()} is
   *     false)
   */
  default MetadataStore reopen() {
    throw new UnsupportedOperationException(
        "the " + name() + " store fixture is not durable: it cannot reopen a store");
  }

  /**
   * Closes whatever the fixture still has open and deletes everything it created (files, databases,
   * schemas). Idempotent; called after every test, also after a failure.
   */
  void dispose();
}
