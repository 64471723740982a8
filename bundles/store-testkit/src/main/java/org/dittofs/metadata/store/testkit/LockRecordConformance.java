package org.dittofs.metadata.store.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.dittofs.metadata.FileRecord;
import org.dittofs.metadata.FileType;
import org.dittofs.metadata.RecordLimits;
import org.dittofs.metadata.Share;
import org.dittofs.metadata.lock.ByteRange;
import org.dittofs.metadata.lock.FileHandle;
import org.dittofs.metadata.lock.LockingMode;
import org.dittofs.metadata.lock.spi.LockQuery;
import org.dittofs.metadata.lock.spi.LockStoreOp;
import org.dittofs.metadata.lock.spi.PersistedLock;
import org.dittofs.metadata.lock.testing.Records;
import org.junit.jupiter.api.Test;

/**
 * The store conformance suite, part 1: a fresh store, single lock records, the epoch and the
 * clean-shutdown marker, {@code apply} of operations, shares and file records. The parts extend
 * each other so that a store's one test class runs all of them: see {@link
 * AbstractMetadataStoreTest}.
 */
abstract class LockRecordConformance extends StoreTestSupport {
  static final long MAX = ByteRange.MAX; // 2^64-1
  static final long TOP = Long.MIN_VALUE; // 2^63
  static final FileHandle FA = FileHandle.of("file-a");
  static final FileHandle FB = FileHandle.of("file-b");

  // ---- a fresh store ----

  @Test
  void freshStoreIsEmptyWithEpochZeroAndNoCleanShutdownMarker() {
    assertThat(store.type()).isNotBlank();
    read(
        tx -> {
          assertThat(tx.locks().listLocks(LockQuery.all())).isEmpty();
          assertThat(tx.listShares()).isEmpty();
          assertThat(tx.listFiles("export")).isEmpty();
          assertThat(tx.locks().getServerEpoch()).isZero();
          assertThat(tx.locks().isCleanShutdown()).isFalse();
          return null;
        });
  }

  // ---- LockStore: single records ----

  @Test
  void putLockInsertsARecordThatGetLockReadsBackEqual() {
    PersistedLock r = Records.lock("1.1").build();
    put(r);
    assertThat(lock("1.1")).contains(r);
    assertThat(allLocks()).containsExactly(r);
  }

  @Test
  void putLockWithAnExistingIdReplacesTheRecordEvenItsKind() {
    put(Records.lock("1.1").owner("first").build());
    PersistedLock lock = Records.lock("1.1").owner("second").windows().shared().build();
    put(lock);
    assertThat(allLocks()).containsExactly(lock);
    PersistedLock open = Records.open("1.1").owner("third").access("RW").deny("D").build();
    put(open);
    assertThat(allLocks()).containsExactly(open);
  }

  @Test
  void getLockOfAnUnknownIdIsEmpty() {
    put(Records.lock("1.1").build());
    assertThat(lock("1.2")).isEmpty();
    assertThat(lock("1.10")).isEmpty();
    assertThat(lock("1.")).isEmpty();
  }

  @Test
  void deleteLockReturnsTrueOnceAndThenFalse() {
    put(Records.lock("1.1").build(), Records.lock("1.2").build());
    assertThat(deleteLock("1.1")).isTrue();
    assertThat(deleteLock("1.1")).isFalse();
    assertThat(deleteLock("never")).isFalse();
    assertThat(ids(allLocks())).containsExactly("1.2");
  }

  // ---- LockStore: epoch and clean-shutdown marker ----

  @Test
  void serverEpochStartsAtZeroAndEachIncrementAddsOne() {
    assertThat(epoch()).isZero();
    assertThat(incrementEpoch()).isEqualTo(1);
    assertThat(incrementEpoch()).isEqualTo(2);
    assertThat(epoch()).isEqualTo(2);
  }

  @Test
  void anIncrementedEpochIsSeenByItsOwnTransactionAndAfterCommit() {
    write(
        tx -> {
          assertThat(tx.locks().incrementServerEpoch()).isEqualTo(1);
          assertThat(tx.locks().getServerEpoch()).isEqualTo(1);
          assertThat(tx.locks().incrementServerEpoch()).isEqualTo(2);
          assertThat(tx.locks().getServerEpoch()).isEqualTo(2);
        });
    assertThat(epoch()).isEqualTo(2);
  }

  @Test
  void cleanShutdownMarkerIsSetAndCleared() {
    assertThat(cleanShutdown()).isFalse();
    write(tx -> tx.locks().setCleanShutdown(true));
    assertThat(cleanShutdown()).isTrue();
    write(tx -> tx.locks().setCleanShutdown(true));
    assertThat(cleanShutdown()).isTrue();
    write(
        tx -> {
          tx.locks().setCleanShutdown(false);
          assertThat(tx.locks().isCleanShutdown()).isFalse();
        });
    assertThat(cleanShutdown()).isFalse();
    assertThat(epoch()).as("the marker is not the epoch").isZero();
  }

  // ---- LockStore: commit(List) ----

  @Test
  void commitOfOperationsAppliesPutsAndDeletesInOrder() {
    PersistedLock a1 = Records.lock("a").owner("v1").build();
    PersistedLock a2 = Records.lock("a").owner("v2").build();
    PersistedLock b = Records.lock("b").build();
    PersistedLock c1 = Records.open("c").access("R").build();
    PersistedLock c2 = Records.open("c").access("RWD").deny("W").build();
    put(Records.lock("old").build());
    write(
        tx ->
            tx.locks()
                .apply(
                    List.of(
                        new LockStoreOp.Put(a1),
                        new LockStoreOp.Put(b),
                        new LockStoreOp.Delete("a"),
                        new LockStoreOp.Put(a2),
                        new LockStoreOp.Delete("b"),
                        new LockStoreOp.Delete("missing"),
                        new LockStoreOp.Put(c1),
                        new LockStoreOp.Put(c2),
                        new LockStoreOp.Delete("old"))));
    assertThat(allLocks()).containsExactlyInAnyOrder(a2, c2);
  }

  @Test
  void commitOfInterleavedGrantsAndReleasesOfDifferentLocksAppliesAllOfThem() {
    // the shape of a group commit: clients' grants and releases of distinct records interleaved,
    // which a store may send as one batch per kind
    List<PersistedLock> held = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      PersistedLock l = Records.lock("held-" + i).build();
      held.add(l);
      put(l);
    }
    List<LockStoreOp> ops = new ArrayList<>();
    List<PersistedLock> granted = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      PersistedLock g = Records.lock("granted-" + i).build();
      granted.add(g);
      ops.add(new LockStoreOp.Put(g));
      ops.add(new LockStoreOp.Delete("held-" + i));
    }
    ops.add(new LockStoreOp.Delete("granted-3")); // and one granted then released in the round
    write(tx -> tx.locks().apply(ops));
    List<PersistedLock> expected = new ArrayList<>(granted);
    expected.remove(3);
    assertThat(allLocks()).containsExactlyInAnyOrderElementsOf(expected);
  }

  @Test
  void commitOfNoOperationsChangesNothing() {
    put(Records.lock("1").build());
    write(tx -> tx.locks().apply(List.of()));
    assertThat(ids(allLocks())).containsExactly("1");
  }

  @Test
  void commitOfOperationsWithOneOverLongRecordAppliesNoneOfThem() {
    put(Records.lock("keep").build());
    String tooLong = "x".repeat(RecordLimits.MAX_ID_CHARS + 1);
    invalid(
        tx ->
            tx.locks()
                .apply(
                    List.of(
                        new LockStoreOp.Put(Records.lock("new").build()),
                        new LockStoreOp.Delete("keep"),
                        new LockStoreOp.Put(Records.lock(tooLong).build()))));
    assertThat(ids(allLocks())).containsExactly("keep");
  }

  // ---- Transaction: shares ----

  @Test
  void sharesRoundTripWithBothLockingModes() {
    Share advisory = new Share("export", LockingMode.ADVISORY);
    Share mandatory = new Share("windows", LockingMode.MANDATORY);
    write(
        tx -> {
          tx.putShare(advisory);
          tx.putShare(mandatory);
        });
    assertThat(share("export")).contains(advisory);
    assertThat(share("windows")).contains(mandatory);
    assertThat(share("Export")).isEmpty();
  }

  @Test
  void putShareWithAnExistingNameReplacesIt() {
    write(tx -> tx.putShare(new Share("export", LockingMode.ADVISORY)));
    write(tx -> tx.putShare(new Share("export", LockingMode.MANDATORY)));
    assertThat(shares()).containsExactly(new Share("export", LockingMode.MANDATORY));
  }

  @Test
  void listSharesIsOrderedByName() {
    List<String> names = List.of("b", "B", "a", "ä", "a-z", "A1", "_", "10", "9", "a b", "ab");
    write(tx -> names.forEach(n -> tx.putShare(new Share(n, LockingMode.ADVISORY))));
    assertThat(shares())
        .extracting(Share::name)
        .containsExactly("10", "9", "A1", "B", "_", "a", "a b", "a-z", "ab", "b", "ä");
  }

  @Test
  void deleteShareReturnsWhetherItExistedAndLeavesItsFilesAlone() {
    FileRecord f = new FileRecord(FA, "export", "a", null, FileType.FILE, 1);
    write(
        tx -> {
          tx.putShare(new Share("export", LockingMode.ADVISORY));
          tx.putShare(new Share("other", LockingMode.ADVISORY));
          tx.putFile(f);
        });
    assertThat(deleteShare("export")).isTrue();
    assertThat(deleteShare("export")).isFalse();
    assertThat(deleteShare("nothing")).isFalse();
    assertThat(shares()).extracting(Share::name).containsExactly("other");
    assertThat(file(FA)).contains(f);
    assertThat(files("export")).containsExactly(f);
  }

  // ---- Transaction: files ----

  @Test
  void fileRecordsRoundTripEveryField() {
    FileHandle sub = FileHandle.of(new byte[] {0, 1, 2, (byte) 0xff});
    FileRecord root = new FileRecord(FA, "export", "", null, FileType.DIRECTORY, 0);
    FileRecord file = new FileRecord(FB, "export", "notes.txt", FA, FileType.FILE, Long.MAX_VALUE);
    FileRecord link = new FileRecord(sub, "export", "link ö 🔒", FB, FileType.SYMLINK, 7);
    write(
        tx -> {
          tx.putShare(new Share("export", LockingMode.ADVISORY));
          tx.putFile(root);
          tx.putFile(file);
          tx.putFile(link);
        });
    assertThat(file(FA)).contains(root);
    assertThat(file(FB)).contains(file);
    assertThat(file(sub)).contains(link);
    assertThat(file(FileHandle.of("file-c"))).isEmpty();
  }

  @Test
  void putFileWithAnExistingHandleReplacesItEvenAcrossShares() {
    write(
        tx -> {
          tx.putShare(new Share("one", LockingMode.ADVISORY));
          tx.putShare(new Share("two", LockingMode.ADVISORY));
          tx.putFile(new FileRecord(FA, "one", "a", null, FileType.FILE, 1));
        });
    FileRecord moved = new FileRecord(FA, "two", "b", FB, FileType.DIRECTORY, 2);
    write(tx -> tx.putFile(moved));
    assertThat(file(FA)).contains(moved);
    assertThat(files("one")).isEmpty();
    assertThat(files("two")).containsExactly(moved);
  }

  @Test
  void listFilesReturnsExactlyTheFilesOfTheShare() {
    List<FileRecord> one = new ArrayList<>();
    List<FileRecord> two = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      one.add(new FileRecord(FileHandle.of("one-" + i), "one", "f" + i, null, FileType.FILE, i));
      two.add(new FileRecord(FileHandle.of("two-" + i), "two", "f" + i, null, FileType.FILE, i));
    }
    write(
        tx -> {
          tx.putShare(new Share("one", LockingMode.ADVISORY));
          tx.putShare(new Share("two", LockingMode.ADVISORY));
          one.forEach(tx::putFile);
          two.forEach(tx::putFile);
        });
    assertThat(files("one")).containsExactlyInAnyOrderElementsOf(one);
    assertThat(files("two")).containsExactlyInAnyOrderElementsOf(two);
    assertThat(files("o%")).isEmpty();
    assertThat(files("ONE")).isEmpty();
  }

  @Test
  void deleteFileReturnsWhetherItExistedAndLeavesItsLockRecordsAlone() {
    write(
        tx -> {
          tx.putShare(new Share("export", LockingMode.ADVISORY));
          tx.putFile(new FileRecord(FA, "export", "a", null, FileType.FILE, 0));
          tx.locks().putLock(Records.lock("1").file(FA).build());
        });
    assertThat(deleteFile(FA)).isTrue();
    assertThat(deleteFile(FA)).isFalse();
    assertThat(file(FA)).isEmpty();
    assertThat(locks(LockQuery.byFile(FA))).hasSize(1);
  }
}
