package org.dittofs.metadata.testing;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantLock;
import org.dittofs.metadata.FileRecord;
import org.dittofs.metadata.RecordLimits;
import org.dittofs.metadata.Share;
import org.dittofs.metadata.lock.FileHandle;
import org.dittofs.metadata.lock.spi.LockQuery;
import org.dittofs.metadata.lock.spi.LockStoreOp;
import org.dittofs.metadata.lock.spi.PersistedLock;
import org.dittofs.metadata.spi.LockRecords;
import org.dittofs.metadata.spi.MetadataStore;
import org.dittofs.metadata.spi.Transaction;

/**
 * The metadata bundle's own test store: the SPI over plain maps, as simple as a store can be while
 * keeping the contract that matters to the metadata service (atomic, isolated transactions that
 * roll back everything they did). Transactions run one at a time: {@link #begin} takes {@code
 * exclusive} and the transaction's end gives it back; a transaction works on copies of the maps and
 * {@link Transaction#commit()} writes them back. A second transaction begun by a thread that has
 * one open is a test bug and fails at once instead of deadlocking. The real stores (memory, H2,
 * PostgreSQL) run the full store conformance kit; this one exists so that the metadata bundle's
 * tests need no store bundle.
 *
 * <p>Concurrency: {@code shares}, {@code files}, {@code locks}, {@code epoch} and {@code clean} are
 * guarded by {@code exclusive}.
 */
public final class MapStore implements MetadataStore {
  private final ReentrantLock exclusive = new ReentrantLock();
  private Map<String, Share> shares = new TreeMap<>();
  private Map<FileHandle, FileRecord> files = new HashMap<>();
  private Map<String, PersistedLock> locks = new LinkedHashMap<>();
  private long epoch;
  private boolean clean;

  @Override
  public String type() {
    return "map";
  }

  @Override
  public Transaction begin() {
    if (exclusive.isHeldByCurrentThread()) {
      throw new IllegalStateException("a transaction of this thread is still open");
    }
    exclusive.lock();
    return new Tx();
  }

  /** Every lock record committed, for assertions. */
  public List<PersistedLock> committedLocks() {
    exclusive.lock();
    try {
      return List.copyOf(locks.values());
    } finally {
      exclusive.unlock();
    }
  }

  private final class Tx implements Transaction, LockRecords {
    private final Map<String, Share> txShares = new TreeMap<>(shares);
    private final Map<FileHandle, FileRecord> txFiles = new HashMap<>(files);
    private final Map<String, PersistedLock> txLocks = new LinkedHashMap<>(locks);
    private long txEpoch = epoch;
    private boolean txClean = clean;
    private boolean ended;

    @Override
    public LockRecords locks() {
      return this;
    }

    @Override
    public void putShare(Share share) {
      RecordLimits.check(share);
      txShares.put(share.name(), share);
    }

    @Override
    public Optional<Share> getShare(String name) {
      return Optional.ofNullable(txShares.get(name));
    }

    @Override
    public List<Share> listShares() {
      return List.copyOf(txShares.values());
    }

    @Override
    public boolean deleteShare(String name) {
      return txShares.remove(name) != null;
    }

    @Override
    public void putFile(FileRecord file) {
      RecordLimits.check(file);
      txFiles.put(file.handle(), file);
    }

    @Override
    public Optional<FileRecord> getFile(FileHandle handle) {
      return Optional.ofNullable(txFiles.get(handle));
    }

    @Override
    public List<FileRecord> listFiles(String share) {
      return txFiles.values().stream().filter(f -> f.share().equals(share)).toList();
    }

    @Override
    public boolean deleteFile(FileHandle handle) {
      return txFiles.remove(handle) != null;
    }

    @Override
    public void putLock(PersistedLock lock) {
      RecordLimits.check(lock);
      txLocks.put(lock.id(), lock);
    }

    @Override
    public Optional<PersistedLock> getLock(String id) {
      return Optional.ofNullable(txLocks.get(id));
    }

    @Override
    public boolean deleteLock(String id) {
      return txLocks.remove(id) != null;
    }

    @Override
    public List<PersistedLock> listLocks(LockQuery query) {
      List<PersistedLock> out = new ArrayList<>();
      txLocks.values().stream().filter(query::matches).forEach(out::add);
      out.sort(Comparator.comparing(PersistedLock::id));
      return out;
    }

    @Override
    public int deleteLocksByClient(String clientId) {
      return deleteWhere(LockQuery.all().withClientId(clientId));
    }

    @Override
    public int deleteLocksByFile(FileHandle file) {
      return deleteWhere(LockQuery.byFile(file));
    }

    private int deleteWhere(LockQuery q) {
      List<PersistedLock> gone = listLocks(q);
      gone.forEach(r -> txLocks.remove(r.id()));
      return gone.size();
    }

    @Override
    public long getServerEpoch() {
      return txEpoch;
    }

    @Override
    public long incrementServerEpoch() {
      return ++txEpoch;
    }

    @Override
    public void setServerEpoch(long value) {
      txEpoch = Math.max(txEpoch, value);
    }

    @Override
    public void apply(List<LockStoreOp> ops) {
      for (LockStoreOp op : ops) {
        if (op instanceof LockStoreOp.Put p) {
          putLock(p.record());
        } else if (op instanceof LockStoreOp.Delete d) {
          deleteLock(d.id());
        }
      }
    }

    @Override
    public boolean isCleanShutdown() {
      return txClean;
    }

    @Override
    public void setCleanShutdown(boolean value) {
      txClean = value;
    }

    @Override
    public void commit() {
      if (ended) {
        throw new IllegalStateException("the transaction has ended");
      }
      shares = txShares;
      files = txFiles;
      locks = txLocks;
      epoch = txEpoch;
      clean = txClean;
      end();
    }

    @Override
    public void rollback() {
      end();
    }

    /** Ends the transaction once: later calls (a rollback after the commit) do nothing. */
    private void end() {
      if (!ended) {
        ended = true;
        exclusive.unlock();
      }
    }
  }
}
