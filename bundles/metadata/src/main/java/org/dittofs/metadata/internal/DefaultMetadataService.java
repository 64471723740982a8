package org.dittofs.metadata.internal;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.dittofs.metadata.FileRecord;
import org.dittofs.metadata.RemovePolicy;
import org.dittofs.metadata.Share;
import org.dittofs.metadata.errors.ErrorCode;
import org.dittofs.metadata.errors.StoreError;
import org.dittofs.metadata.errors.StoreErrors;
import org.dittofs.metadata.host.MetadataManager;
import org.dittofs.metadata.lock.ByteRange;
import org.dittofs.metadata.lock.FileHandle;
import org.dittofs.metadata.lock.LockOwner;
import org.dittofs.metadata.lock.LockService;
import org.dittofs.metadata.lock.LockingMode;
import org.dittofs.metadata.lock.host.LockManager;
import org.dittofs.metadata.lock.host.LockManagers;
import org.dittofs.metadata.lock.host.LockScheduler;
import org.dittofs.metadata.lock.spi.LockQuery;
import org.dittofs.metadata.lock.spi.PersistedLock;
import org.dittofs.metadata.spi.ClusteredMetadataStore;
import org.dittofs.metadata.spi.MetadataStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The metadata service over one store. Shares are cached in memory (they change rarely and every
 * I/O check needs the share's locking mode); files and lock records are read from the store.
 *
 * <p>In cluster mode ({@link ClusteredMetadataStore}) shares are read from the store, where other
 * nodes change them, and the orphan sweep is off.
 *
 * <p>Concurrency: {@code store} is volatile and changes only in {@link #swapStore}, under the lock
 * manager's traffic gate; {@code shares} is a concurrent map written after the store accepted the
 * share (so it never holds a share the store refused); the lock manager and the store are
 * thread-safe; {@code sweepTimer} is guarded by this object's monitor.
 */
public final class DefaultMetadataService implements MetadataManager {
  private static final Logger LOG = LoggerFactory.getLogger("org.dittofs.metadata");

  private volatile MetadataStore store; // null while no store is bound
  private final LockManager locks;
  private final LockScheduler scheduler;
  private final Duration sweepInterval;
  private final boolean clustered; // shares may change at other nodes: read them from the store
  private final ConcurrentHashMap<String, Share> shares = new ConcurrentHashMap<>();
  private LockScheduler.Timer sweepTimer;
  private boolean closed;

  private DefaultMetadataService(
      MetadataStore store,
      LockManager locks,
      LockScheduler scheduler,
      Duration sweepInterval,
      boolean clustered) {
    this.store = store;
    this.locks = locks;
    this.scheduler = scheduler;
    this.sweepInterval = sweepInterval;
    this.clustered = clustered;
  }

  /**
   * Starts a service: the lock manager of {@code b} (its configuration and listeners) restores from
   * the store (epoch, records, grace) and the shares are loaded. {@code scheduler} (null: the
   * system's) serves the service and its lock manager. Use {@link
   * org.dittofs.metadata.host.MetadataServices}.
   */
  public static DefaultMetadataService start(
      MetadataStore store,
      LockManagers.Builder b,
      LockScheduler scheduler,
      Duration sweepInterval) {
    LockScheduler time = scheduler != null ? scheduler : LockManagers.systemScheduler();
    b.store(new TransactionalLockStore(store)).scheduler(time);
    boolean clustered = store instanceof ClusteredMetadataStore;
    if (clustered) {
      b.cluster(((ClusteredMetadataStore) store).lockCluster());
    }
    LockManager locks = b.build();
    // in cluster mode the orphan sweep is off: it deletes records outside their file's coordinated
    // operation, which other nodes would not see (docs/cluster.md, Status)
    DefaultMetadataService s =
        new DefaultMetadataService(
            store, locks, time, clustered ? Duration.ZERO : sweepInterval, clustered);
    store.inTransaction(tx -> tx.listShares()).forEach(sh -> s.shares.put(sh.name(), sh));
    s.scheduleSweep();
    return s;
  }

  @Override
  public LockManager lockManager() {
    return locks;
  }

  @Override
  public LockService locks() {
    return locks;
  }

  @Override
  public void putShare(Share share) {
    requireNonNull(share, "share");
    bound()
        .inTransaction(
            tx -> {
              tx.putShare(share);
              return null;
            });
    shares.put(share.name(), share);
  }

  /** Whether this service runs its lock manager as a node of a cluster (docs/cluster.md). */
  boolean clustered() {
    return clustered;
  }

  @Override
  public Optional<Share> share(String name) {
    if (clustered && name != null) {
      return bound().inTransaction(tx -> tx.getShare(name)); // another node may have added it
    }
    return Optional.ofNullable(name == null ? null : shares.get(name));
  }

  @Override
  public List<Share> shares() {
    if (clustered) {
      return readShares(bound());
    }
    return shares.values().stream().sorted((a, b) -> a.name().compareTo(b.name())).toList();
  }

  @Override
  public void putFile(FileRecord file) {
    requireNonNull(file, "file");
    if (share(file.share()).isEmpty()) {
      throw StoreErrors.notFound("share " + file.share());
    }
    bound()
        .inTransaction(
            tx -> {
              tx.putFile(file);
              return null;
            });
  }

  @Override
  public Optional<FileRecord> file(FileHandle handle) {
    requireNonNull(handle, "file handle");
    return bound().inTransaction(tx -> tx.getFile(handle));
  }

  @Override
  public void removeFile(FileHandle handle, RemovePolicy policy) {
    requireNonNull(handle, "file handle");
    requireNonNull(policy, "remove policy");
    FileRecord f = file(handle).orElseThrow(() -> StoreErrors.notFound("file " + handle));
    locks.removeFile(
        handle,
        policy == RemovePolicy.REFUSE_IF_LOCKED,
        () ->
            bound()
                .inTransaction(
                    tx -> {
                      if (!tx.deleteFile(handle)) {
                        throw StoreErrors.notFound("file " + f.name() + " (" + handle + ")");
                      }
                      return tx.locks().deleteLocksByFile(handle);
                    }));
  }

  @Override
  public int sweepOrphans() {
    return bound()
        .inTransaction(
            tx -> {
              Set<FileHandle> seen = new HashSet<>();
              int deleted = 0;
              for (PersistedLock r : tx.locks().listLocks(LockQuery.all())) {
                FileHandle f = r.file();
                if (seen.add(f)
                    && tx.getFile(f).isEmpty()
                    && locks.locks(f).isEmpty()
                    && locks.opens(f).isEmpty()) {
                  deleted += tx.locks().deleteLocksByFile(f);
                }
              }
              return deleted;
            });
  }

  @Override
  public void checkRead(FileHandle file, LockOwner owner, ByteRange range) {
    locks.checkRead(file, owner, range, modeOf(file));
  }

  @Override
  public void checkWrite(FileHandle file, LockOwner owner, ByteRange range) {
    locks.checkWrite(file, owner, range, modeOf(file));
  }

  private LockingMode modeOf(FileHandle handle) {
    requireNonNull(handle, "file handle");
    if (clustered) {
      // another node may have added or changed the share: file and share in one read
      return bound()
          .inTransaction(
              tx -> {
                FileRecord f =
                    tx.getFile(handle).orElseThrow(() -> StoreErrors.notFound("file " + handle));
                return tx.getShare(f.share()).map(Share::lockingMode).orElse(LockingMode.ADVISORY);
              });
    }
    FileRecord f = file(handle).orElseThrow(() -> StoreErrors.notFound("file " + handle));
    Share s = shares.get(f.share());
    return s == null ? LockingMode.ADVISORY : s.lockingMode();
  }

  @Override
  public MetadataStore store() {
    return store;
  }

  @Override
  public org.dittofs.metadata.lock.host.SwapReport swapStore(MetadataStore next) {
    MetadataStore old = store;
    if (clustered || next instanceof ClusteredMetadataStore) {
      // a node's lock space is the cluster's database: nothing is copied into or out of it
      throw new StoreError(
          ErrorCode.NOT_SUPPORTED,
          "a hot swap into or out of a cluster store copies nothing: stop the service and start"
              + " it over the other store (docs/cluster.md)");
    }
    org.dittofs.metadata.lock.host.SwapReport report =
        locks.swapStore(
            next == null ? null : new TransactionalLockStore(next),
            (epoch, records) -> copyInto(old, next, epoch, records));
    store = next;
    LOG.info(
        "metadata store "
            + (old == null ? "(none)" : old.type())
            + " -> "
            + (next == null ? "(none)" : next.type())
            + " in "
            + report.duration().toMillis()
            + " ms, "
            + report.records()
            + " lock records copied");
    return report;
  }

  /** One transaction of {@code next}: shares and files from {@code old}, locks from memory. */
  private void copyInto(
      MetadataStore old, MetadataStore next, long epoch, List<PersistedLock> records) {
    List<Share> oldShares = old == null ? List.copyOf(shares.values()) : readShares(old);
    List<FileRecord> oldFiles = new java.util.ArrayList<>();
    if (old != null) {
      old.inTransaction(
          tx -> {
            for (Share sh : tx.listShares()) {
              oldFiles.addAll(tx.listFiles(sh.name()));
            }
            return null;
          });
    }
    next.inTransaction(
        tx -> {
          // every record the new store held goes, then every live one is written: writes that only
          // add rows, which a store may take in bulk (PostgreSQL's COPY: JdbcTransaction.apply)
          List<org.dittofs.metadata.lock.spi.LockStoreOp> ops = new java.util.ArrayList<>();
          for (PersistedLock held : tx.locks().listLocks(LockQuery.all())) {
            ops.add(new org.dittofs.metadata.lock.spi.LockStoreOp.Delete(held.id()));
          }
          records.forEach(r -> ops.add(new org.dittofs.metadata.lock.spi.LockStoreOp.Put(r)));
          tx.locks().apply(ops);
          oldShares.forEach(tx::putShare);
          oldFiles.forEach(tx::putFile);
          tx.locks().setServerEpoch(epoch);
          tx.locks().setCleanShutdown(false);
          return null;
        });
  }

  private static List<Share> readShares(MetadataStore s) {
    return s.inTransaction(tx -> tx.listShares());
  }

  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      if (sweepTimer != null) {
        sweepTimer.cancel();
      }
    }
    locks.close();
  }

  private synchronized void scheduleSweep() {
    if (closed || sweepInterval.isZero() || sweepInterval.isNegative()) {
      return;
    }
    sweepTimer =
        scheduler.schedule(
            () -> {
              try {
                int n = sweepOrphans();
                if (n > 0) {
                  LOG.info("swept " + n + " orphaned lock records");
                }
              } catch (StoreError e) {
                LOG.warn("orphan sweep failed: " + e);
              }
              scheduleSweep();
            },
            sweepInterval);
  }

  private MetadataStore bound() {
    MetadataStore s = store;
    if (s == null) {
      throw new StoreError(
          org.dittofs.metadata.errors.ErrorCode.STORE_UNAVAILABLE,
          "no metadata store is bound; bind one (store.target) and retry");
    }
    return s;
  }

  private static void requireNonNull(Object v, String what) {
    if (v == null) {
      throw StoreErrors.invalidArgument(what + " must not be null");
    }
  }
}
