package org.dittofs.metadata.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.dittofs.metadata.FileRecord;
import org.dittofs.metadata.FileType;
import org.dittofs.metadata.RemovePolicy;
import org.dittofs.metadata.Share;
import org.dittofs.metadata.errors.ErrorCode;
import org.dittofs.metadata.errors.StoreError;
import org.dittofs.metadata.host.MetadataManager;
import org.dittofs.metadata.host.MetadataServices;
import org.dittofs.metadata.lock.ByteRange;
import org.dittofs.metadata.lock.FileHandle;
import org.dittofs.metadata.lock.LockClient;
import org.dittofs.metadata.lock.LockFlavour;
import org.dittofs.metadata.lock.LockOwner;
import org.dittofs.metadata.lock.LockRequest;
import org.dittofs.metadata.lock.LockingMode;
import org.dittofs.metadata.lock.OpenRequest;
import org.dittofs.metadata.lock.PendingLock;
import org.dittofs.metadata.lock.UnlockRequest;
import org.dittofs.metadata.lock.host.LockConfig;
import org.dittofs.metadata.lock.host.LockEvent;
import org.dittofs.metadata.lock.spi.LockQuery;
import org.dittofs.metadata.lock.spi.PersistedLock;
import org.dittofs.metadata.lock.testing.ManualScheduler;
import org.dittofs.metadata.lock.testing.Records;
import org.dittofs.metadata.spi.LockRecords;
import org.dittofs.metadata.spi.MetadataStore;
import org.dittofs.metadata.spi.Transaction;
import org.dittofs.metadata.testing.MapStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** The metadata service over the memory store: shares, files, file removal, I/O checks, sweeps. */
class MetadataServiceTest {
  private static final FileHandle F = FileHandle.of("f");
  private static final FileHandle G = FileHandle.of("g");
  private static final FileHandle M = FileHandle.of("m");
  private static final LockOwner A = LockOwner.of("nlm:a:1:oh");
  private static final LockOwner B = LockOwner.of("nlm:b:2:oh");
  private static final LockClient CA = new LockClient("host-a", "nlm");
  private static final LockClient CB = new LockClient("host-b", "nlm");

  private final MapStore memory = new MapStore();
  private final AtomicBoolean failDeletes = new AtomicBoolean();
  private final MetadataStore store = failing(memory, failDeletes);
  private final ManualScheduler scheduler = new ManualScheduler();
  private MetadataManager service = start(Duration.ZERO);

  /**
   * Starts a service. A fresh store was never shut down cleanly, so its first service enters an
   * (empty) grace period (SPEC 11); the tests begin after it.
   */
  private MetadataManager start(Duration sweep) {
    MetadataManager s =
        MetadataServices.over(store).scheduler(scheduler).sweepInterval(sweep).start();
    if (s.locks().graceStatus().active()) {
      assertThat(s.locks().graceStatus().restoredRecords()).isZero();
      scheduler.advance(s.lockManager().config().gracePeriod());
    }
    return s;
  }

  @AfterEach
  void stop() {
    service.close();
  }

  /** Two shares, one per locking mode, with files F and G (advisory) and M (mandatory). */
  private void shareAndFiles() {
    service.putShare(new Share("adv", LockingMode.ADVISORY));
    service.putShare(new Share("man", LockingMode.MANDATORY));
    service.putFile(new FileRecord(F, "adv", "f", null, FileType.FILE, 100));
    service.putFile(new FileRecord(G, "adv", "g", null, FileType.FILE, 100));
    service.putFile(new FileRecord(M, "man", "m", null, FileType.FILE, 100));
  }

  private static LockRequest posix(FileHandle f, LockOwner o, LockClient c, long off, long len) {
    return LockRequest.builder(f, o)
        .share("adv")
        .client(c)
        .posix()
        .exclusive()
        .range(ByteRange.span(off, len))
        .build();
  }

  private static OpenRequest open(FileHandle f, LockOwner o) {
    return new OpenRequest(f, "adv", o, CB, Records.modes("R"), Set.of());
  }

  private List<PersistedLock> stored(FileHandle f) {
    return store.inTransaction(tx -> tx.locks().listLocks(LockQuery.byFile(f)));
  }

  private static void assertCode(ErrorCode code, Executable call) {
    assertThatThrownBy(call::execute)
        .isInstanceOfSatisfying(StoreError.class, e -> assertThat(e.code()).isEqualTo(code));
  }

  // ---- the builder ----

  @Test
  void builderGivesTheLockManagerItsConfigurationAndEveryListener() {
    service.close();
    List<LockEvent> first = new CopyOnWriteArrayList<>();
    List<LockEvent> second = new CopyOnWriteArrayList<>();
    service =
        MetadataServices.over(store)
            .scheduler(scheduler)
            .sweepInterval(Duration.ZERO)
            .config(
                LockConfig.DEFAULTS.toBuilder()
                    .maxLocksPerFile(1)
                    .gracePeriod(Duration.ZERO)
                    .build())
            .listener(first::add)
            .listener(second::add)
            .start();
    shareAndFiles();
    assertThat(service.lockManager().config().maxLocksPerFile()).isEqualTo(1);
    assertThat(service.locks().lock(posix(F, A, CA, 0, 10)).granted()).isTrue();
    assertCode(ErrorCode.LOCK_LIMIT_EXCEEDED, () -> service.locks().lock(posix(F, B, CB, 20, 10)));
    assertThat(first).isNotEmpty().isEqualTo(second);
  }

  // ---- shares and files ----

  @Test
  void sharesArePersistedAndListedByName() {
    service.putShare(new Share("b", LockingMode.MANDATORY));
    service.putShare(new Share("a", LockingMode.ADVISORY));
    assertThat(service.shares())
        .containsExactly(
            new Share("a", LockingMode.ADVISORY), new Share("b", LockingMode.MANDATORY));
    assertThat(service.share("b")).contains(new Share("b", LockingMode.MANDATORY));
    assertThat(service.share("c")).isEmpty();
    assertThat(service.share(null)).isEmpty();
    assertThat(store.inTransaction(Transaction::listShares)).isEqualTo(service.shares());
  }

  @Test
  void putShareReplacesTheLockingMode() {
    service.putShare(new Share("a", LockingMode.ADVISORY));
    service.putShare(new Share("a", LockingMode.MANDATORY));
    assertThat(service.shares()).containsExactly(new Share("a", LockingMode.MANDATORY));
    assertThat(memory.<Optional<Share>>inTransaction(tx -> tx.getShare("a")))
        .contains(new Share("a", LockingMode.MANDATORY));
    assertThat(service.share("a")).contains(new Share("a", LockingMode.MANDATORY));
  }

  @Test
  void sharesInTheStoreAreLoadedAtStart() {
    store.inTransaction(
        tx -> {
          tx.putShare(new Share("old", LockingMode.MANDATORY));
          return null;
        });
    service.close();
    service = start(Duration.ZERO);
    assertThat(service.shares()).containsExactly(new Share("old", LockingMode.MANDATORY));
  }

  @Test
  void filesArePersistedAndReadBack() {
    shareAndFiles();
    FileRecord f = new FileRecord(F, "adv", "renamed", G, FileType.SYMLINK, 5);
    service.putFile(f);
    assertThat(service.file(F)).contains(f);
    assertThat(memory.<Optional<FileRecord>>inTransaction(tx -> tx.getFile(F))).contains(f);
    assertThat(service.file(FileHandle.of("none"))).isEmpty();
  }

  @Test
  void putFileInAnUnknownShareIsNotFoundAndStoresNothing() {
    assertCode(
        ErrorCode.NOT_FOUND,
        () -> service.putFile(new FileRecord(F, "nowhere", "f", null, FileType.FILE, 0)));
    assertThat(service.file(F)).isEmpty();
    assertThat(memory.<List<FileRecord>>inTransaction(tx -> tx.listFiles("nowhere"))).isEmpty();
  }

  // ---- removing files ----

  @Test
  void removeFileDroppingLocksRemovesLocksOpensRecordsAndCancelsWaiters() {
    shareAndFiles();
    assertThat(service.locks().lock(posix(F, A, CA, 0, 10)).granted()).isTrue();
    assertThat(service.locks().lock(posix(G, A, CA, 0, 10)).granted()).isTrue();
    service.locks().open(open(F, B));
    PendingLock waiter = service.locks().lockBlocking(posix(F, B, CB, 5, 10), null);
    assertThat(waiter.isDone()).isFalse();
    assertThat(stored(F)).hasSize(2);

    service.removeFile(F, RemovePolicy.DROP_LOCKS);

    assertThat(service.file(F)).isEmpty();
    assertThat(service.lockManager().locks(F)).isEmpty();
    assertThat(service.lockManager().opens(F)).isEmpty();
    assertThat(stored(F)).isEmpty();
    assertThat(waiter.isDone()).isTrue();
    assertCode(ErrorCode.CANCELLED, waiter::poll);
    assertThat(service.lockManager().locks(G)).hasSize(1);
    assertThat(stored(G)).hasSize(1);
    assertThat(service.file(G)).isPresent();
  }

  @Test
  void removeFileRefusingWhileLockedIsLockedWhileALockIsHeld() {
    shareAndFiles();
    assertThat(service.locks().lock(posix(F, A, CA, 0, 10)).granted()).isTrue();
    assertCode(ErrorCode.LOCKED, () -> service.removeFile(F, RemovePolicy.REFUSE_IF_LOCKED));
    assertThat(service.file(F)).isPresent();
    assertThat(service.lockManager().locks(F)).hasSize(1);
    assertThat(stored(F)).hasSize(1);
  }

  @Test
  void removeFileRefusingWhileLockedIsLockedWhileAnOpenIsHeld() {
    shareAndFiles();
    service.locks().open(open(F, B));
    assertCode(ErrorCode.LOCKED, () -> service.removeFile(F, RemovePolicy.REFUSE_IF_LOCKED));
    assertThat(service.file(F)).isPresent();
    assertThat(service.lockManager().opens(F)).hasSize(1);
    assertThat(stored(F)).hasSize(1);
  }

  @Test
  void removeFileRefusingWhileLockedRemovesTheFileOnceNothingIsHeld() {
    shareAndFiles();
    assertThat(service.locks().lock(posix(F, A, CA, 0, 10)).granted()).isTrue();
    service.locks().unlock(new UnlockRequest(F, A, LockFlavour.POSIX, ByteRange.whole()));
    service.removeFile(F, RemovePolicy.REFUSE_IF_LOCKED);
    assertThat(service.file(F)).isEmpty();
    assertThat(stored(F)).isEmpty();
  }

  @Test
  void removeFileOfAnUnknownFileIsNotFound() {
    shareAndFiles();
    for (RemovePolicy p : RemovePolicy.values()) {
      assertCode(ErrorCode.NOT_FOUND, () -> service.removeFile(FileHandle.of("none"), p));
    }
  }

  @Test
  void removeFileThatFailsInTheStoreLeavesFileLocksAndRecordsAsTheyWere() {
    shareAndFiles();
    assertThat(service.locks().lock(posix(F, A, CA, 0, 10)).granted()).isTrue();
    failDeletes.set(true);
    assertCode(ErrorCode.IO_ERROR, () -> service.removeFile(F, RemovePolicy.DROP_LOCKS));
    failDeletes.set(false);
    assertThat(service.file(F))
        .as("the file record was deleted in the same transaction")
        .isPresent();
    assertThat(service.lockManager().locks(F)).hasSize(1);
    assertThat(stored(F)).hasSize(1);
    service.removeFile(F, RemovePolicy.DROP_LOCKS);
    assertThat(service.file(F)).isEmpty();
    assertThat(stored(F)).isEmpty();
  }

  // ---- I/O checks ----

  @Test
  void posixLocksBlockIoOnlyOnMandatoryShares() {
    shareAndFiles();
    assertThat(service.locks().lock(posix(F, A, CA, 0, 10)).granted()).isTrue();
    assertThat(service.locks().lock(posix(M, A, CA, 0, 10)).granted()).isTrue();
    service.checkRead(F, B, ByteRange.span(0, 10));
    service.checkWrite(F, B, ByteRange.span(0, 10));
    assertCode(ErrorCode.LOCK_CONFLICT, () -> service.checkRead(M, B, ByteRange.span(5, 1)));
    assertCode(ErrorCode.LOCK_CONFLICT, () -> service.checkWrite(M, B, ByteRange.span(5, 1)));
    service.checkWrite(M, A, ByteRange.span(0, 10));
    service.checkWrite(M, B, ByteRange.span(10, 10));
  }

  @Test
  void aShareTurnedMandatoryAppliesToTheNextCheck() {
    shareAndFiles();
    assertThat(service.locks().lock(posix(F, A, CA, 0, 10)).granted()).isTrue();
    service.checkWrite(F, B, ByteRange.span(0, 10));
    service.putShare(new Share("adv", LockingMode.MANDATORY));
    assertCode(ErrorCode.LOCK_CONFLICT, () -> service.checkWrite(F, B, ByteRange.span(0, 10)));
  }

  @Test
  void windowsLocksBlockIoOnAdvisorySharesToo() {
    shareAndFiles();
    LockOwner w = LockOwner.of("smb:1:fid");
    LockRequest r =
        LockRequest.builder(F, w)
            .share("adv")
            .client(new LockClient("session", "smb"))
            .windows()
            .exclusive()
            .range(ByteRange.span(0, 10))
            .build();
    assertThat(service.locks().lock(r).granted()).isTrue();
    assertCode(ErrorCode.LOCK_CONFLICT, () -> service.checkRead(F, B, ByteRange.span(0, 1)));
    assertCode(ErrorCode.LOCK_CONFLICT, () -> service.checkWrite(F, B, ByteRange.span(9, 1)));
  }

  @Test
  void checksOnAnUnknownFileAreNotFound() {
    shareAndFiles();
    FileHandle none = FileHandle.of("none");
    assertCode(ErrorCode.NOT_FOUND, () -> service.checkRead(none, A, ByteRange.whole()));
    assertCode(ErrorCode.NOT_FOUND, () -> service.checkWrite(none, A, ByteRange.whole()));
  }

  // ---- orphans, persistence, stop ----

  @Test
  void sweepOrphansDeletesRecordsOfGoneFilesThatTheManagerDoesNotHold() {
    shareAndFiles();
    FileHandle heldNoFile = FileHandle.of("held-but-no-file");
    assertThat(service.locks().lock(posix(F, A, CA, 0, 10)).granted()).isTrue();
    assertThat(service.locks().lock(posix(heldNoFile, A, CA, 0, 10)).granted()).isTrue();
    store.inTransaction(
        tx -> {
          tx.locks().putLock(Records.lock("orphan-1").file("gone").build());
          tx.locks().putLock(Records.open("orphan-2").file("gone").build());
          tx.locks().putLock(Records.lock("unheld-on-live-file").file(G).build());
          return null;
        });
    assertThat(service.sweepOrphans()).isEqualTo(2);
    assertThat(service.sweepOrphans()).isZero();
    assertThat(stored(FileHandle.of("gone"))).isEmpty();
    assertThat(stored(F)).hasSize(1);
    assertThat(stored(G)).hasSize(1);
    assertThat(stored(heldNoFile)).hasSize(1);
  }

  @Test
  void aRecordLeftAfterItsFileWasRemovedIsSwept() {
    shareAndFiles();
    store.inTransaction(
        tx -> {
          tx.locks().putLock(Records.lock("late").file(G).build());
          return null;
        });
    service.removeFile(G, RemovePolicy.REFUSE_IF_LOCKED); // the manager holds nothing on G
    store.inTransaction(
        tx -> {
          tx.locks().putLock(Records.lock("later").file(G).build());
          return null;
        });
    assertThat(service.sweepOrphans()).isEqualTo(1);
    assertThat(stored(G)).isEmpty();
  }

  @Test
  void theSweepRunsPeriodically() {
    service.close();
    service = start(Duration.ofMinutes(1));
    for (int round = 0; round < 2; round++) {
      String id = "orphan-" + round;
      store.inTransaction(
          tx -> {
            tx.locks().putLock(Records.lock(id).file("gone").build());
            return null;
          });
      scheduler.advance(Duration.ofMinutes(1));
      assertThat(stored(FileHandle.of("gone"))).as("after sweep %d", round).isEmpty();
    }
  }

  @Test
  void locksAndReleasesArePersistedThroughTheStore() {
    shareAndFiles();
    assertThat(service.locks().lock(posix(F, A, CA, 0, 10)).granted()).isTrue();
    assertThat(stored(F))
        .singleElement()
        .satisfies(r -> assertThat(r.range()).isEqualTo(ByteRange.span(0, 10)));
    service.locks().unlock(new UnlockRequest(F, A, LockFlavour.POSIX, ByteRange.span(0, 5)));
    assertThat(stored(F))
        .singleElement()
        .satisfies(r -> assertThat(r.range()).isEqualTo(ByteRange.span(5, 5)));
  }

  @Test
  void closeSetsTheCleanShutdownMarkerAndStartClearsIt() {
    assertThat(store.<Boolean>inTransaction(tx -> tx.locks().isCleanShutdown())).isFalse();
    service.close();
    assertThat(store.<Boolean>inTransaction(tx -> tx.locks().isCleanShutdown())).isTrue();
    service = start(Duration.ZERO);
    assertThat(store.<Boolean>inTransaction(tx -> tx.locks().isCleanShutdown())).isFalse();
    assertThat(store.<Long>inTransaction(tx -> tx.locks().getServerEpoch())).isEqualTo(2);
  }

  /**
   * The memory store, with deleteLocksByFile failing with IO_ERROR while {@code fail} is set (after
   * the transaction has already deleted the file record).
   */
  private static MetadataStore failing(MapStore memory, AtomicBoolean fail) {
    return new MetadataStore() {
      @Override
      public String type() {
        return memory.type();
      }

      @Override
      public Transaction begin() {
        Transaction tx = memory.begin();
        LockRecords records = failingDeletes(tx.locks(), fail);
        return proxy(Transaction.class, tx, m -> m.equals("locks") ? records : null);
      }
    };
  }

  private static LockRecords failingDeletes(LockRecords records, AtomicBoolean fail) {
    return proxy(
        LockRecords.class,
        records,
        m -> {
          if (fail.get() && m.equals("deleteLocksByFile")) {
            throw new StoreError(ErrorCode.IO_ERROR, "injected failure");
          }
          return null;
        });
  }

  /** A proxy answering {@code override}'s non-null result for a method name, else the target's. */
  private static <T> T proxy(
      Class<T> type, T target, java.util.function.Function<String, Object> override) {
    return type.cast(
        Proxy.newProxyInstance(
            type.getClassLoader(),
            new Class<?>[] {type},
            (p, method, args) -> {
              Object o = override.apply(method.getName());
              if (o != null) {
                return o;
              }
              try {
                return method.invoke(target, args);
              } catch (InvocationTargetException e) {
                throw e.getCause();
              }
            }));
  }
}
