package org.dittofs.metadata.spi;

import java.util.Objects;
import java.util.function.Function;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A metadata store that serves every call from another store, {@link #delegate()}: the base of a
 * store that adds something around another store (a DS component registering a store, a store
 * joined to a cluster) without changing how transactions run. Thread-safe if the delegate is.
 */
@ConsumerType
public abstract class ForwardingMetadataStore implements MetadataStore {
  private final MetadataStore delegate;

  /** A store whose every call goes to {@code delegate}. */
  protected ForwardingMetadataStore(MetadataStore delegate) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
  }

  /** The store every call goes to. */
  protected final MetadataStore delegate() {
    return delegate;
  }

  @Override
  public String type() {
    return delegate.type();
  }

  @Override
  public Transaction begin() {
    return delegate.begin();
  }

  @Override
  public <T> T inTransaction(Function<Transaction, T> work) {
    return delegate.inTransaction(work);
  }
}
