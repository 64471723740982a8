package org.dittofs.metadata.lock.spi;

import java.util.Objects;

/** One write of a batch given to {@link LockStore#apply}: put a record or delete one by id. */
public sealed interface LockStoreOp permits LockStoreOp.Put, LockStoreOp.Delete {

  /** Insert or replace a record. */
  record Put(PersistedLock record) implements LockStoreOp {
    public Put {
      Objects.requireNonNull(record, "record");
    }
  }

  /** Delete a record by id; deleting a missing id is not an error. */
  record Delete(String id) implements LockStoreOp {
    public Delete {
      Objects.requireNonNull(id, "id");
    }
  }
}
