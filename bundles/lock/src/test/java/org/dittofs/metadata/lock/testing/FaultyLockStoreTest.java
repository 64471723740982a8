package org.dittofs.metadata.lock.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.dittofs.metadata.errors.ErrorCode;
import org.dittofs.metadata.errors.StoreError;
import org.dittofs.metadata.lock.ByteRange;
import org.dittofs.metadata.lock.FileHandle;
import org.dittofs.metadata.lock.Lock;
import org.dittofs.metadata.lock.LockClient;
import org.dittofs.metadata.lock.LockFlavour;
import org.dittofs.metadata.lock.LockId;
import org.dittofs.metadata.lock.LockOwner;
import org.dittofs.metadata.lock.LockType;
import org.dittofs.metadata.lock.ShareAccess;
import org.dittofs.metadata.lock.spi.LockQuery;
import org.dittofs.metadata.lock.spi.LockStoreOp;
import org.dittofs.metadata.lock.spi.PersistedLock;
import org.junit.jupiter.api.Test;

class FaultyLockStoreTest {
  private final FaultyLockStore store = new FaultyLockStore();

  /** A lock record with id "1.n". */
  private static PersistedLock lock(long n, String owner, String client, String file) {
    return PersistedLock.of(
        new Lock(
            new LockId(1, n),
            LockOwner.of(owner),
            new LockClient(client, "test"),
            "export",
            FileHandle.of(file),
            ByteRange.span(0, 10),
            LockType.SHARED,
            LockFlavour.POSIX,
            Instant.EPOCH,
            1));
  }

  private void put(PersistedLock... records) {
    for (PersistedLock r : records) {
      store.putLock(r);
    }
  }

  /** 1.1 (o1, c1, f), 1.2 (o2, c1, f), 1.3 (o1, c2, g) and the open 1.4 (o1, c1, f). */
  private void putThreeLocksAndAnOpen() {
    put(
        lock(1, "o1", "c1", "f"),
        lock(2, "o2", "c1", "f"),
        lock(3, "o1", "c2", "g"),
        open("1.4", "o1", "c1", "f"));
  }

  private static PersistedLock lock(long n) {
    return lock(n, "o", "c", "f");
  }

  private static PersistedLock open(String id, String owner, String client, String file) {
    return new PersistedLock(
        id,
        PersistedLock.Kind.OPEN,
        "export",
        FileHandle.of(file),
        owner,
        client,
        "test",
        null,
        null,
        null,
        Set.of(ShareAccess.READ),
        Set.of(ShareAccess.WRITE),
        Instant.EPOCH,
        1);
  }

  private static void assertUnavailable(ThrowingCallable call) {
    assertThatThrownBy(call)
        .isInstanceOfSatisfying(
            StoreError.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.STORE_UNAVAILABLE));
  }

  private static Set<String> ids(List<PersistedLock> records) {
    Set<String> ids = new HashSet<>();
    records.forEach(r -> ids.add(r.id()));
    return ids;
  }

  @Test
  void newStoreIsEmptyAtEpochZeroWithoutCleanMarker() {
    assertThat(store.records()).isEmpty();
    assertThat(store.listLocks(LockQuery.all())).isEmpty();
    assertThat(store.getServerEpoch()).isZero();
    assertThat(store.isCleanShutdown()).isFalse();
    assertThat(store.writeCount()).isZero();
  }

  @Test
  void putThenGetRoundTripsLocksAndOpensExactly() {
    PersistedLock edge =
        new PersistedLock(
            "id with spaces, %_ and \u00e9",
            PersistedLock.Kind.LOCK,
            "share/\u00fc",
            FileHandle.of(new byte[] {0, -1, 127, -128}),
            "owner%_",
            "client-\u2603",
            "nlm",
            LockFlavour.WINDOWS,
            LockType.EXCLUSIVE,
            ByteRange.of(ByteRange.MAX - 1, ByteRange.MAX),
            Set.of(),
            Set.of(),
            Instant.parse("2024-02-29T12:00:00.123456789Z"),
            42);
    PersistedLock zero =
        PersistedLock.of(
            new Lock(
                new LockId(1, 9),
                LockOwner.of("o"),
                new LockClient("c", "test"),
                "export",
                FileHandle.of("f"),
                ByteRange.zeroLength(ByteRange.MAX),
                LockType.SHARED,
                LockFlavour.WINDOWS,
                Instant.EPOCH,
                1));
    PersistedLock o = open("2.7", "o", "c", "f");

    put(edge, zero, o);

    assertThat(store.getLock(edge.id())).contains(edge);
    assertThat(store.getLock(zero.id())).contains(zero);
    assertThat(store.getLock("2.7")).contains(o);
    assertThat(store.getLock("missing")).isEmpty();
  }

  @Test
  void putReplacesTheRecordWithTheSameId() {
    put(lock(1, "o", "c", "f"), lock(1, "other", "c", "g"));

    assertThat(store.records()).hasSize(1);
    assertThat(store.getLock("1.1").orElseThrow().owner()).isEqualTo("other");
  }

  @Test
  void deleteLockReportsWhetherARecordWasDeleted() {
    store.putLock(lock(1));

    assertThat(store.deleteLock("1.1")).isTrue();
    assertThat(store.deleteLock("1.1")).isFalse();
    assertThat(store.records()).isEmpty();
  }

  @Test
  void deleteLocksByClientRemovesOnlyThatClientsRecords() {
    putThreeLocksAndAnOpen();

    assertThat(store.deleteLocksByClient("c1")).isEqualTo(3);
    assertThat(store.deleteLocksByClient("c1")).isZero();
    assertThat(store.records()).containsOnlyKeys("1.3");
  }

  @Test
  void deleteLocksByFileComparesHandlesByContent() {
    put(lock(1, "o", "c", "f"), lock(2, "p", "d", "f"), lock(3, "o", "c", "g"));

    assertThat(store.deleteLocksByFile(FileHandle.of("f".getBytes()))).isEqualTo(2);
    assertThat(store.records()).containsOnlyKeys("1.3");
  }

  @Test
  void listLocksAppliesEveryFilterOfTheQuery() {
    putThreeLocksAndAnOpen();
    store.putLock(
        new PersistedLock(
            "1.5",
            PersistedLock.Kind.LOCK,
            "other-share",
            FileHandle.of("f"),
            "o1",
            "c1",
            "test",
            LockFlavour.POSIX,
            LockType.SHARED,
            ByteRange.whole(),
            null,
            null,
            Instant.EPOCH,
            1));

    assertThat(ids(store.listLocks(LockQuery.all())))
        .containsExactlyInAnyOrder("1.1", "1.2", "1.3", "1.4", "1.5");
    assertThat(ids(store.listLocks(LockQuery.byFile(FileHandle.of("g"))))).containsExactly("1.3");
    assertThat(ids(store.listLocks(LockQuery.all().withOwner("o2")))).containsExactly("1.2");
    assertThat(ids(store.listLocks(LockQuery.all().withClientId("c2")))).containsExactly("1.3");
    assertThat(ids(store.listLocks(LockQuery.all().withShare("other-share"))))
        .containsExactly("1.5");
    assertThat(ids(store.listLocks(LockQuery.all().withKind(PersistedLock.Kind.OPEN))))
        .containsExactly("1.4");
    assertThat(
            ids(
                store.listLocks(
                    LockQuery.byFile(FileHandle.of("f"))
                        .withOwner("o1")
                        .withClientId("c1")
                        .withShare("export")
                        .withKind(PersistedLock.Kind.LOCK))))
        .containsExactly("1.1");
    assertThat(store.listLocks(LockQuery.all().withOwner("o%"))).isEmpty();
  }

  @Test
  void incrementServerEpochReturnsEachNewValue() {
    assertThat(store.incrementServerEpoch()).isEqualTo(1);
    assertThat(store.incrementServerEpoch()).isEqualTo(2);
    assertThat(store.getServerEpoch()).isEqualTo(2);
  }

  @Test
  void cleanShutdownMarkerIsSetAndCleared() {
    store.setCleanShutdown(true);
    assertThat(store.isCleanShutdown()).isTrue();

    store.setCleanShutdown(false);
    assertThat(store.isCleanShutdown()).isFalse();
  }

  @Test
  void commitAppliesPutDeletePutInOrder() {
    store.putLock(lock(2));

    store.apply(
        List.of(
            new LockStoreOp.Put(lock(1)),
            new LockStoreOp.Delete("1.2"),
            new LockStoreOp.Put(lock(3))));

    assertThat(store.records()).containsOnlyKeys("1.1", "1.3");
    assertThat(store.commitCount()).isEqualTo(1);
  }

  @Test
  void commitOfPutThenDeleteOfOneIdLeavesNothing() {
    store.apply(List.of(new LockStoreOp.Put(lock(1)), new LockStoreOp.Delete("1.1")));

    assertThat(store.records()).isEmpty();
  }

  @Test
  void commitOfDeleteThenPutOfOneIdLeavesTheRecord() {
    store.putLock(lock(1, "old", "c", "f"));

    store.apply(
        List.of(new LockStoreOp.Delete("1.1"), new LockStoreOp.Put(lock(1, "new", "c", "f"))));

    assertThat(store.getLock("1.1").orElseThrow().owner()).isEqualTo("new");
  }

  @Test
  void commitOfDeletingAMissingIdIsNotAnError() {
    store.apply(List.of(new LockStoreOp.Delete("nope")));

    assertThat(store.records()).isEmpty();
    assertThat(store.commitCount()).isEqualTo(1);
  }

  @Test
  void failedCommitChangesNothing() {
    store.putLock(lock(2));
    store.failEveryNthWrite(1);

    assertUnavailable(
        () ->
            store.apply(
                List.of(
                    new LockStoreOp.Put(lock(1)),
                    new LockStoreOp.Delete("1.2"),
                    new LockStoreOp.Put(lock(3)))));

    assertThat(store.records()).containsOnlyKeys("1.2");
    assertThat(store.commitCount()).isZero();
  }

  @Test
  void commitWithANullOpInTheMiddleIsRejectedAndChangesNothing() {
    store.putLock(lock(2));

    assertThatThrownBy(
            () ->
                store.apply(
                    Arrays.asList(
                        new LockStoreOp.Put(lock(1)), null, new LockStoreOp.Delete("1.2"))))
        .isInstanceOfSatisfying(
            StoreError.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT));

    assertThat(store.records()).containsOnlyKeys("1.2");
  }

  @Test
  void everyNthWriteFailsWithStoreUnavailableAndTheOthersSucceed() {
    store.failEveryNthWrite(3);

    put(lock(1), lock(2));
    assertUnavailable(() -> store.putLock(lock(3)));
    store.incrementServerEpoch();
    store.setCleanShutdown(true);
    assertUnavailable(() -> store.deleteLock("1.1"));

    assertThat(store.records()).containsOnlyKeys("1.1", "1.2");
    assertThat(store.getServerEpoch()).isEqualTo(1);
    assertThat(store.writeCount()).isEqualTo(4);
    assertThat(store.failedWriteCount()).isEqualTo(2);
  }

  @Test
  void injectedFailureOfEachKindOfWriteChangesNothing() {
    store.putLock(lock(1, "o", "c", "f"));
    store.incrementServerEpoch();
    store.failEveryNthWrite(1);
    List<Consumer<FaultyLockStore>> writes =
        List.of(
            s -> s.putLock(lock(2)),
            s -> s.deleteLock("1.1"),
            s -> s.deleteLocksByClient("c"),
            s -> s.deleteLocksByFile(FileHandle.of("f")),
            FaultyLockStore::incrementServerEpoch,
            s -> s.apply(List.of(new LockStoreOp.Delete("1.1"))),
            s -> s.setCleanShutdown(true));

    for (Consumer<FaultyLockStore> w : writes) {
      assertUnavailable(() -> w.accept(store));
    }

    assertThat(store.records()).containsOnlyKeys("1.1");
    assertThat(store.getServerEpoch()).isEqualTo(1);
    assertThat(store.isCleanShutdown()).isFalse();
    assertThat(store.failedWriteCount()).isEqualTo(writes.size());
  }

  @Test
  void failEveryNthWriteOfZeroTurnsTheFaultOff() {
    store.failEveryNthWrite(1);
    store.failEveryNthWrite(0);

    store.putLock(lock(1));

    assertThat(store.records()).containsOnlyKeys("1.1");
  }

  @Test
  void whileDownEveryCallFailsReadsIncludedAndUpRestoresService() {
    store.putLock(lock(1));
    store.down();

    assertUnavailable(() -> store.getLock("1.1"));
    assertUnavailable(() -> store.listLocks(LockQuery.all()));
    assertUnavailable(store::getServerEpoch);
    assertUnavailable(store::isCleanShutdown);
    assertUnavailable(() -> store.putLock(lock(2)));
    assertUnavailable(() -> store.deleteLock("1.1"));
    assertUnavailable(() -> store.deleteLocksByClient("c"));
    assertUnavailable(() -> store.deleteLocksByFile(FileHandle.of("f")));
    assertUnavailable(store::incrementServerEpoch);
    assertUnavailable(() -> store.apply(List.of(new LockStoreOp.Delete("1.1"))));
    assertUnavailable(() -> store.setCleanShutdown(true));
    assertThat(store.records()).containsOnlyKeys("1.1");

    store.up();

    assertThat(store.getLock("1.1")).isPresent();
    assertThat(store.getServerEpoch()).isZero();
    assertThat(store.isCleanShutdown()).isFalse();
  }

  @Test
  void oneShotFaultFailsOnlyTheNthWriteAndChangesNothing() {
    store.failNthWrite(2, false);
    store.putLock(lock(1));
    assertThat(store.oneShotArmed()).isTrue();
    assertUnavailable(() -> store.apply(List.of(new LockStoreOp.Put(lock(2)))));

    assertThat(store.oneShotArmed()).isFalse();
    assertThat(store.records()).containsOnlyKeys("1.1");
    store.apply(List.of(new LockStoreOp.Put(lock(3))));
    assertThat(store.records()).containsOnlyKeys("1.1", "1.3");
    assertThat(store.failedWriteCount()).isEqualTo(1);
  }

  @Test
  void aCommitThatLandsFirstAppliesItsOperationsAndStillThrows() {
    store.putLock(lock(1));
    store.failNthWrite(1, true);

    assertUnavailable(
        () -> store.apply(List.of(new LockStoreOp.Delete("1.1"), new LockStoreOp.Put(lock(2)))));

    assertThat(store.records()).containsOnlyKeys("1.2");
    assertThat(store.oneShotArmed()).isFalse();
    assertThat(store.commitCount()).isZero(); // the caller never heard of a success
  }

  @Test
  void clearFaultsBringsTheStoreUpWithoutAnyFault() {
    store.down();
    store.failEveryNthWrite(1);
    store.failNthWrite(1, false);

    store.clearFaults();

    store.putLock(lock(1));
    assertThat(store.oneShotArmed()).isFalse();
    assertThat(store.records()).containsOnlyKeys("1.1");
  }

  @Test
  void reopenKeepsRecordsEpochAndCleanMarker() {
    put(lock(1), open("1.2", "o", "c", "f"));
    store.incrementServerEpoch();
    store.incrementServerEpoch();
    store.setCleanShutdown(true);

    FaultyLockStore restarted = store.reopen();

    assertThat(restarted.records()).isEqualTo(store.records());
    assertThat(restarted.getServerEpoch()).isEqualTo(2);
    assertThat(restarted.isCleanShutdown()).isTrue();
  }

  @Test
  void reopenedStoreHasNoFaultsAndSharesNothingWithTheOldOne() {
    store.putLock(lock(1));
    store.failEveryNthWrite(1);
    store.down();

    FaultyLockStore restarted = store.reopen();
    restarted.putLock(lock(2));
    restarted.incrementServerEpoch();

    assertThat(restarted.records()).containsOnlyKeys("1.1", "1.2");
    assertThat(restarted.writeCount()).isEqualTo(2);
    store.up();
    store.failEveryNthWrite(0);
    assertThat(store.records()).containsOnlyKeys("1.1");
    assertThat(store.getServerEpoch()).isZero();
  }

  @Test
  void recordsIsASnapshotUnaffectedByLaterWrites() {
    store.putLock(lock(1));
    var snapshot = store.records();

    store.putLock(lock(2));
    store.deleteLock("1.1");

    assertThat(snapshot).containsOnlyKeys("1.1");
    assertThatThrownBy(() -> snapshot.remove("1.1"))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void countersCountOnlyCallsThatReturnedNormally() {
    store.putLock(lock(1));
    store.apply(List.of(new LockStoreOp.Put(lock(2))));
    store.deleteLock("nope");
    store.down();
    assertUnavailable(() -> store.apply(List.of()));
    store.up();

    assertThat(store.writeCount()).isEqualTo(3);
    assertThat(store.commitCount()).isEqualTo(1);
    assertThat(store.failedWriteCount()).isEqualTo(1);
  }

  @Test
  void nullArgumentsFailWithInvalidArgument() {
    List<ThrowingCallable> calls =
        List.of(
            () -> store.putLock(null),
            () -> store.getLock(null),
            () -> store.listLocks(null),
            () -> store.apply(null),
            () -> store.deleteLocksByFile(null));
    for (ThrowingCallable c : calls) {
      assertThatThrownBy(c)
          .isInstanceOfSatisfying(
              StoreError.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT));
    }
  }

  @Test
  void concurrentWritersFromManyThreadsLoseNoRecordAndNoEpoch() throws Exception {
    int threads = 8;
    int perThread = 500;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int base = t * perThread;
        done.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < perThread; i++) {
                    if (i % 2 == 0) {
                      store.putLock(lock(base + i));
                    } else {
                      store.apply(List.of(new LockStoreOp.Put(lock(base + i))));
                    }
                    store.incrementServerEpoch();
                  }
                }));
      }
      for (Future<?> f : done) {
        f.get(30, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }

    assertThat(store.records()).hasSize(threads * perThread);
    assertThat(store.getServerEpoch()).isEqualTo(threads * perThread);
    assertThat(store.commitCount()).isEqualTo(threads * perThread / 2);
  }
}
