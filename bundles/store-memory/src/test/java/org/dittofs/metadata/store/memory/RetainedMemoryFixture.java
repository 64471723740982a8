package org.dittofs.metadata.store.memory;

import org.dittofs.metadata.errors.ErrorCode;
import org.dittofs.metadata.errors.StoreError;
import org.dittofs.metadata.spi.MetadataStore;
import org.dittofs.metadata.spi.Transaction;
import org.dittofs.metadata.store.testkit.StoreFixture;

/**
 * A stand-in for a durable store, so that the restart suite of the kit runs in this module too: the
 * data is one {@link MemoryMetadataStore} kept for the whole test, and every {@link #create()} or
 * {@link #reopen()} hands out a new store object over it that refuses new transactions once closed.
 * It survives a close and reopen within the JVM, which is all the suite needs; the memory store
 * itself is not durable and says so through {@link MemoryFixture}.
 */
final class RetainedMemoryFixture implements StoreFixture {
  private MemoryMetadataStore data;

  @Override
  public String name() {
    return "memory (retained across reopen)";
  }

  @Override
  public boolean isDurable() {
    return true;
  }

  @Override
  public MetadataStore create() {
    data = new MemoryMetadataStore();
    return new View(data);
  }

  @Override
  public MetadataStore reopen() {
    if (data == null) {
      throw new IllegalStateException("reopen() before create()");
    }
    return new View(data);
  }

  @Override
  public void dispose() {
    data = null;
  }

  /** One store object over the retained data; closing it ends its use, not the data. */
  private static final class View implements MetadataStore, AutoCloseable {
    private final MemoryMetadataStore data;
    private volatile boolean closed;

    View(MemoryMetadataStore data) {
      this.data = data;
    }

    @Override
    public String type() {
      return data.type();
    }

    @Override
    public Transaction begin() {
      if (closed) {
        throw new StoreError(ErrorCode.STORE_UNAVAILABLE, "this store object has been closed");
      }
      return data.begin();
    }

    @Override
    public void close() {
      closed = true;
    }
  }
}
