package org.dittofs.metadata.store.testkit;

import org.dittofs.metadata.spi.MetadataStore;

/**
 * A durable fixture whose stores live in a location of their own (a directory, a schema): every
 * {@link #create()} makes a new location and opens a store there, {@link #reopen()} opens the same
 * location again once the suite has closed the previous store, {@link #dispose()} closes what is
 * open and deletes the location with everything in it.
 *
 * @param <L> what names a location
 */
public abstract class LocatedStoreFixture<L> implements StoreFixture {
  private L location;
  private MetadataStore current;

  /** A new, empty location. */
  protected abstract L newLocation();

  /** A store over {@code location}, migrated if it is new. */
  protected abstract MetadataStore open(L location);

  /** Deletes {@code location} and everything in it. */
  protected abstract void delete(L location);

  /** Whether {@code location} exists in the backend (tests of the fixture ask). */
  public abstract boolean exists(L location);

  /** The location of the current store, or null before create() and after dispose(). */
  public final L location() {
    return location;
  }

  @Override
  public final boolean isDurable() {
    return true;
  }

  @Override
  public final MetadataStore create() {
    dispose();
    location = newLocation();
    current = open(location);
    return current;
  }

  @Override
  public final MetadataStore reopen() {
    if (location == null) {
      throw new IllegalStateException("reopen() before create()");
    }
    current = open(location);
    return current;
  }

  @Override
  public final void dispose() {
    try {
      if (current instanceof AutoCloseable c) {
        c.close(); // idempotent: the suite may have closed it already
      }
    } catch (Exception e) {
      throw new IllegalStateException("cannot close the " + name() + " store", e);
    } finally {
      current = null;
      if (location != null) {
        L l = location;
        location = null;
        delete(l);
      }
    }
  }
}
