package org.dittofs.metadata.store.memory;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import org.dittofs.metadata.FileRecord;
import org.dittofs.metadata.RecordLimits;
import org.dittofs.metadata.Share;
import org.dittofs.metadata.errors.StoreErrors;
import org.dittofs.metadata.lock.FileHandle;
import org.dittofs.metadata.lock.spi.LockQuery;
import org.dittofs.metadata.lock.spi.LockStoreOp;
import org.dittofs.metadata.lock.spi.PersistedLock;
import org.dittofs.metadata.spi.LockRecords;
import org.dittofs.metadata.spi.Transaction;

/**
 * One transaction of a {@link MemoryMetadataStore}: an overlay of pending writes over the committed
 * maps (a null value in an overlay is a deletion). Confined to one thread, as {@link Transaction}
 * says; see the store for the locks it takes.
 */
final class MemoryTransaction implements Transaction, LockRecords {
  private final MemoryMetadataStore store;
  private final Map<String, Share> shares = new HashMap<>();
  private final Map<FileHandle, FileRecord> files = new HashMap<>();
  private final Map<String, PersistedLock> locks = new LinkedHashMap<>();
  private Long epoch;
  private Boolean clean;
  private boolean writer;
  private boolean ended;

  MemoryTransaction(MemoryMetadataStore store) {
    this.store = store;
  }

  // ---- shares and files ----

  @Override
  public void putShare(Share share) {
    write();
    RecordLimits.check(share);
    shares.put(share.name(), share);
  }

  @Override
  public Optional<Share> getShare(String name) {
    return Optional.ofNullable(read(shares, store.shares, name));
  }

  @Override
  public List<Share> listShares() {
    List<Share> out = merged(shares, store.shares, s -> true);
    out.sort(Comparator.comparing(Share::name));
    return out;
  }

  @Override
  public boolean deleteShare(String name) {
    write();
    boolean existed = getShare(name).isPresent();
    shares.put(name, null);
    return existed;
  }

  @Override
  public void putFile(FileRecord file) {
    write();
    RecordLimits.check(file);
    files.put(file.handle(), file);
  }

  @Override
  public Optional<FileRecord> getFile(FileHandle handle) {
    return Optional.ofNullable(read(files, store.files, handle));
  }

  @Override
  public List<FileRecord> listFiles(String share) {
    return merged(files, store.files, f -> f.share().equals(share));
  }

  @Override
  public boolean deleteFile(FileHandle handle) {
    write();
    boolean existed = getFile(handle).isPresent();
    files.put(handle, null);
    return existed;
  }

  // ---- lock records ----

  @Override
  public void putLock(PersistedLock lock) {
    write();
    RecordLimits.check(lock);
    locks.put(lock.id(), lock);
  }

  @Override
  public Optional<PersistedLock> getLock(String id) {
    return Optional.ofNullable(read(locks, store.locks, id));
  }

  @Override
  public boolean deleteLock(String id) {
    write();
    boolean existed = getLock(id).isPresent();
    locks.put(id, null);
    return existed;
  }

  @Override
  public List<PersistedLock> listLocks(LockQuery query) {
    return merged(locks, store.locks, query::matches);
  }

  @Override
  public int deleteLocksByClient(String clientId) {
    if (clientId == null) {
      throw StoreErrors.invalidArgument("deleteLocksByClient needs a client id, got null");
    }
    return deleteWhere(LockQuery.all().withClientId(clientId));
  }

  @Override
  public int deleteLocksByFile(FileHandle file) {
    if (file == null) {
      throw StoreErrors.invalidArgument("deleteLocksByFile needs a file handle, got null");
    }
    return deleteWhere(LockQuery.byFile(file));
  }

  private int deleteWhere(LockQuery q) {
    write();
    List<PersistedLock> gone = listLocks(q);
    gone.forEach(r -> locks.put(r.id(), null));
    return gone.size();
  }

  @Override
  public long getServerEpoch() {
    if (epoch != null) {
      return epoch;
    }
    store.visible.readLock().lock();
    try {
      return store.epoch;
    } finally {
      store.visible.readLock().unlock();
    }
  }

  @Override
  public long incrementServerEpoch() {
    write();
    epoch = getServerEpoch() + 1;
    return epoch;
  }

  @Override
  public void setServerEpoch(long value) {
    write();
    epoch = Math.max(getServerEpoch(), value);
  }

  @Override
  public LockRecords locks() {
    return this;
  }

  @Override
  public void apply(List<LockStoreOp> ops) {
    write();
    ops.forEach(
        op -> {
          if (op instanceof LockStoreOp.Put p) {
            RecordLimits.check(p.record());
          }
        });
    for (LockStoreOp op : ops) {
      if (op instanceof LockStoreOp.Put p) {
        locks.put(p.record().id(), p.record());
      } else if (op instanceof LockStoreOp.Delete d) {
        locks.put(d.id(), null);
      }
    }
  }

  @Override
  public boolean isCleanShutdown() {
    if (clean != null) {
      return clean;
    }
    store.visible.readLock().lock();
    try {
      return store.clean;
    } finally {
      store.visible.readLock().unlock();
    }
  }

  @Override
  public void setCleanShutdown(boolean value) {
    write();
    clean = value;
  }

  // ---- end of the transaction ----

  @Override
  public void commit() {
    alive();
    store.visible.writeLock().lock();
    try {
      apply(shares, store.shares);
      apply(files, store.files);
      apply(locks, store.locks);
      if (epoch != null) {
        store.epoch = epoch;
      }
      if (clean != null) {
        store.clean = clean;
      }
    } finally {
      store.visible.writeLock().unlock();
      end();
    }
  }

  @Override
  public void rollback() {
    if (!ended) {
      end();
    }
  }

  private void end() {
    ended = true;
    shares.clear();
    files.clear();
    locks.clear();
    if (writer) {
      writer = false;
      store.writers.unlock();
    }
  }

  private void alive() {
    if (ended) {
      throw StoreErrors.invalidArgument(
          "this transaction has already been committed or rolled back");
    }
  }

  private void write() {
    alive();
    if (!writer) {
      store.writers.lock();
      writer = true;
    }
  }

  private <K, V> V read(Map<K, V> overlay, Map<K, V> base, K key) {
    alive();
    if (overlay.containsKey(key)) {
      return overlay.get(key);
    }
    store.visible.readLock().lock();
    try {
      return base.get(key);
    } finally {
      store.visible.readLock().unlock();
    }
  }

  private <K, V> List<V> merged(Map<K, V> overlay, Map<K, V> base, Predicate<V> filter) {
    alive();
    List<V> out = new ArrayList<>();
    store.visible.readLock().lock();
    try {
      for (Map.Entry<K, V> e : base.entrySet()) {
        if (!overlay.containsKey(e.getKey()) && filter.test(e.getValue())) {
          out.add(e.getValue());
        }
      }
    } finally {
      store.visible.readLock().unlock();
    }
    for (V v : overlay.values()) {
      if (v != null && filter.test(v)) {
        out.add(v);
      }
    }
    return out;
  }

  private static <K, V> void apply(Map<K, V> overlay, Map<K, V> base) {
    overlay.forEach(
        (k, v) -> {
          if (v == null) {
            base.remove(k);
          } else {
            base.put(k, v);
          }
        });
  }
}
