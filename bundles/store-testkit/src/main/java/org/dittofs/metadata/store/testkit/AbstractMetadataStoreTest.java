package org.dittofs.metadata.store.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.dittofs.metadata.store.testkit.Records.T0;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.dittofs.metadata.FileRecord;
import org.dittofs.metadata.FileType;
import org.dittofs.metadata.RecordLimits;
import org.dittofs.metadata.Share;
import org.dittofs.metadata.errors.ErrorCode;
import org.dittofs.metadata.errors.StoreError;
import org.dittofs.metadata.lock.ByteRange;
import org.dittofs.metadata.lock.FileHandle;
import org.dittofs.metadata.lock.LockFlavour;
import org.dittofs.metadata.lock.LockType;
import org.dittofs.metadata.lock.LockingMode;
import org.dittofs.metadata.lock.ShareAccess;
import org.dittofs.metadata.lock.spi.LockQuery;
import org.dittofs.metadata.lock.spi.LockStoreOp;
import org.dittofs.metadata.lock.spi.PersistedLock;
import org.dittofs.metadata.lock.spi.PersistedLock.Kind;
import org.dittofs.metadata.spi.Transaction;
import org.junit.jupiter.api.Test;

/**
 * The store conformance suite: every {@link org.dittofs.metadata.spi.MetadataStore} runs it through
 * its {@link StoreFixture} ({@code class H2StoreConformanceTest extends
 * AbstractMetadataStoreTest}). Each test starts from a fresh, empty store.
 *
 * <p>What it pins down, beyond the javadoc of {@link Transaction} and {@link
 * org.dittofs.metadata.lock.spi.LockStore}:
 *
 * <ul>
 *   <li>Values round-trip exactly and are matched exactly: every string as given (no case folding,
 *       trimming, Unicode normalisation or pattern matching; see {@link TrickyText}), file handles
 *       byte for byte, unsigned 64-bit range bounds and the zero-length flag.
 *   <li>Acquisition times are compared at <b>microsecond</b> precision: a time with whole
 *       microseconds comes back equal; a time with nanoseconds comes back within one microsecond (a
 *       store may truncate or round below that).
 *   <li>{@link Transaction#listShares()} orders by {@link String#compareTo}, which for names
 *       without supplementary characters is code point order, i.e. binary UTF-8 order (a SQL store
 *       sorts with a binary collation, or in Java), never a linguistic collation.
 *   <li>A value beyond {@link RecordLimits} is refused with INVALID_ARGUMENT by the call that
 *       writes it, and nothing of the transaction is stored once it is rolled back.
 *   <li>A bulk delete given null deletes nothing (it returns 0 or refuses with INVALID_ARGUMENT).
 *   <li>Concurrent transactions through {@link
 *       org.dittofs.metadata.spi.MetadataStore#inTransaction} never fail for concurrency reasons
 *       and lose nothing.
 * </ul>
 */
public abstract class AbstractMetadataStoreTest extends StoreTestSupport {
  private static final long MAX = ByteRange.MAX; // 2^64-1
  private static final long TOP = Long.MIN_VALUE; // 2^63
  private static final FileHandle FA = FileHandle.of("file-a");
  private static final FileHandle FB = FileHandle.of("file-b");

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

  // ---- LockStore: queries ----

  /** 32 records: every combination of two files, owners, clients, shares and both kinds. */
  private static List<PersistedLock> matrix() {
    List<PersistedLock> out = new ArrayList<>();
    int n = 0;
    for (FileHandle f : List.of(FA, FB)) {
      for (String owner : List.of("oA", "oB")) {
        for (String client : List.of("cA", "cB")) {
          for (String share : List.of("sA", "sB")) {
            for (Kind kind : Kind.values()) {
              Records.Builder b = kind == Kind.LOCK ? Records.lock("m" + n) : Records.open("m" + n);
              out.add(
                  b.file(f)
                      .owner(owner)
                      .client(client)
                      .share(share)
                      .range(ByteRange.span(n * 10L, 10))
                      .build());
              n++;
            }
          }
        }
      }
    }
    return out;
  }

  private void assertQuery(List<PersistedLock> data, LockQuery q, int expectedCount) {
    List<PersistedLock> expected = data.stream().filter(q::matches).toList();
    assertThat(expected).as("reference result of %s", q).hasSize(expectedCount);
    List<PersistedLock> actual = locks(q);
    assertThat(actual).as("listLocks(%s)", q).containsExactlyInAnyOrderElementsOf(expected);
  }

  @Test
  void listLocksAllReturnsEveryRecordExactlyOnce() {
    List<PersistedLock> data = matrix();
    put(data);
    assertQuery(data, LockQuery.all(), 32);
  }

  @Test
  void listLocksByFileReturnsOnlyThatFilesRecords() {
    List<PersistedLock> data = matrix();
    put(data);
    assertQuery(data, LockQuery.byFile(FA), 16);
    assertQuery(data, LockQuery.byFile(FB), 16);
    assertQuery(data, LockQuery.byFile(FileHandle.of("file-c")), 0);
  }

  @Test
  void listLocksWithOwnerReturnsOnlyThatOwnersRecords() {
    List<PersistedLock> data = matrix();
    put(data);
    assertQuery(data, LockQuery.all().withOwner("oA"), 16);
    assertQuery(data, LockQuery.all().withOwner("oB"), 16);
    assertQuery(data, LockQuery.all().withOwner("o%"), 0);
  }

  @Test
  void listLocksWithClientIdReturnsOnlyThatClientsRecords() {
    List<PersistedLock> data = matrix();
    put(data);
    assertQuery(data, LockQuery.all().withClientId("cA"), 16);
    assertQuery(data, LockQuery.all().withClientId("cB"), 16);
    assertQuery(data, LockQuery.all().withClientId("c_"), 0);
  }

  @Test
  void listLocksWithShareReturnsOnlyThatSharesRecords() {
    List<PersistedLock> data = matrix();
    put(data);
    assertQuery(data, LockQuery.all().withShare("sA"), 16);
    assertQuery(data, LockQuery.all().withShare("sB"), 16);
    assertQuery(data, LockQuery.all().withShare("SA"), 0);
  }

  @Test
  void listLocksWithKindSeparatesLocksFromOpens() {
    List<PersistedLock> data = matrix();
    put(data);
    assertQuery(data, LockQuery.all().withKind(Kind.LOCK), 16);
    assertQuery(data, LockQuery.all().withKind(Kind.OPEN), 16);
    assertThat(locks(LockQuery.all().withKind(Kind.OPEN)))
        .allSatisfy(r -> assertThat(r.range()).isNull());
  }

  @Test
  void listLocksWithEveryCombinationOfFiltersMatchesTheReference() {
    List<PersistedLock> data = matrix();
    put(data);
    List<FileHandle> files = Arrays.asList(null, FA, FB);
    List<String> owners = Arrays.asList(null, "oA", "oB");
    List<String> clients = Arrays.asList(null, "cA", "cB");
    List<String> shares = Arrays.asList(null, "sA", "sB");
    List<Kind> kinds = Arrays.asList(null, Kind.LOCK, Kind.OPEN);
    List<LockQuery> queries = new ArrayList<>();
    for (FileHandle f : files) {
      for (String o : owners) {
        for (String c : clients) {
          for (String s : shares) {
            for (Kind k : kinds) {
              queries.add(new LockQuery(f, o, c, s, k));
            }
          }
        }
      }
    }
    Map<LockQuery, List<PersistedLock>> results =
        read(
            tx -> {
              Map<LockQuery, List<PersistedLock>> m = new HashMap<>();
              queries.forEach(q -> m.put(q, tx.locks().listLocks(q)));
              return m;
            });
    assertThat(results).hasSize(243);
    results.forEach(
        (q, actual) -> {
          int filters =
              (q.file() != null ? 1 : 0)
                  + (q.owner() != null ? 1 : 0)
                  + (q.clientId() != null ? 1 : 0)
                  + (q.share() != null ? 1 : 0)
                  + (q.kind() != null ? 1 : 0);
          assertThat(actual)
              .as("listLocks(%s)", q)
              .hasSize(32 >> filters)
              .containsExactlyInAnyOrderElementsOf(data.stream().filter(q::matches).toList());
        });
  }

  @Test
  void listLocksWithValuesNoRecordHasIsEmpty() {
    put(matrix());
    read(
        tx -> {
          assertThat(tx.locks().listLocks(LockQuery.byFile(FA).withOwner("oA").withShare("sX")))
              .isEmpty();
          assertThat(tx.locks().listLocks(LockQuery.all().withOwner("cA"))).isEmpty();
          assertThat(tx.locks().listLocks(LockQuery.all().withClientId("oA"))).isEmpty();
          assertThat(tx.locks().listLocks(LockQuery.all().withShare("%"))).isEmpty();
          return null;
        });
  }

  // ---- LockStore: bulk deletes ----

  @Test
  void deleteLocksByClientDeletesExactlyThatClientsRecordsAndCountsThem() {
    List<PersistedLock> data = matrix();
    put(data);
    assertThat(deleteLocksByClient("cA")).isEqualTo(16);
    assertThat(allLocks())
        .containsExactlyInAnyOrderElementsOf(
            data.stream().filter(r -> r.clientId().equals("cB")).toList());
    assertThat(deleteLocksByClient("cA")).isZero();
    assertThat(deleteLocksByClient("cB")).isEqualTo(16);
    assertThat(allLocks()).isEmpty();
  }

  @Test
  void deleteLocksByFileDeletesExactlyThatFilesRecordsAndCountsThem() {
    List<PersistedLock> data = matrix();
    put(data);
    assertThat(deleteLocksByFile(FB)).isEqualTo(16);
    assertThat(allLocks())
        .containsExactlyInAnyOrderElementsOf(
            data.stream().filter(r -> r.file().equals(FA)).toList());
    assertThat(deleteLocksByFile(FB)).isZero();
  }

  @Test
  void bulkDeletesOfUnknownOrLookalikeKeysDeleteNothing() {
    put(matrix());
    assertThat(deleteLocksByClient("c%")).isZero();
    assertThat(deleteLocksByClient("CA")).isZero();
    assertThat(deleteLocksByClient("cA ")).isZero();
    assertThat(deleteLocksByFile(FileHandle.of("file-"))).isZero();
    assertThat(deleteLocksByFile(FileHandle.of("file-a\0"))).isZero();
    assertThat(allLocks()).hasSize(32);
  }

  @Test
  void bulkDeletesCountTheTransactionsOwnWritesAndNotItsDeletes() {
    put(
        Records.lock("1").client("c").file(FA).build(),
        Records.lock("2").client("c").file(FA).build(),
        Records.lock("3").client("other").file(FA).build());
    write(
        tx -> {
          tx.locks().putLock(Records.lock("4").client("c").file(FB).build());
          assertThat(tx.locks().deleteLock("1")).isTrue();
          assertThat(tx.locks().deleteLocksByClient("c"))
              .isEqualTo(2); // 2 committed, 4 uncommitted
          assertThat(tx.locks().listLocks(LockQuery.all()))
              .extracting(PersistedLock::id)
              .containsOnly("3");
          tx.locks().putLock(Records.lock("5").client("x").file(FA).build());
          assertThat(tx.locks().deleteLocksByFile(FA)).isEqualTo(2); // 3 committed, 5 uncommitted
        });
    assertThat(allLocks()).isEmpty();
  }

  @Test
  void bulkDeletesGivenNullDeleteNothing() {
    put(matrix());
    for (String what : List.of("client", "file")) {
      try (Transaction tx = store.begin()) {
        try {
          int n =
              what.equals("client")
                  ? tx.locks().deleteLocksByClient(null)
                  : tx.locks().deleteLocksByFile(null);
          assertThat(n).as("records deleted by a null %s", what).isZero();
          tx.commit();
        } catch (StoreError e) {
          assertThat(e.code())
              .as("refusal of a null %s", what)
              .isEqualTo(ErrorCode.INVALID_ARGUMENT);
        }
      }
      assertThat(allLocks()).as("records left after a delete by null %s", what).hasSize(32);
    }
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

  // ---- Transaction: isolation and atomicity ----

  @Test
  void aTransactionReadsItsOwnWrites() {
    put(Records.lock("committed").build());
    try (Transaction tx = store.begin()) {
      tx.putShare(new Share("export", LockingMode.MANDATORY));
      tx.putFile(new FileRecord(FA, "export", "a", null, FileType.FILE, 3));
      tx.locks().putLock(Records.lock("new").file(FA).build());
      tx.locks().deleteLock("committed");
      assertThat(tx.getShare("export")).isPresent();
      assertThat(tx.listShares()).hasSize(1);
      assertThat(tx.getFile(FA)).isPresent();
      assertThat(tx.listFiles("export")).hasSize(1);
      assertThat(tx.locks().getLock("new")).isPresent();
      assertThat(tx.locks().getLock("committed")).isEmpty();
      assertThat(ids(tx.locks().listLocks(LockQuery.all()))).containsExactly("new");
      tx.commit();
    }
    assertThat(ids(allLocks())).containsExactly("new");
  }

  /** Makes a change of every kind in {@code tx}, over the state of {@link #committedState}. */
  private static void changeEverything(Transaction tx) {
    tx.putShare(new Share("new-share", LockingMode.ADVISORY));
    tx.putShare(new Share("export", LockingMode.MANDATORY));
    tx.deleteShare("other");
    tx.putFile(new FileRecord(FB, "export", "b", null, FileType.FILE, 1));
    tx.deleteFile(FA);
    tx.locks().putLock(Records.lock("new").build());
    tx.locks().putLock(Records.lock("kept").owner("changed").build());
    tx.locks().deleteLock("gone");
    tx.locks().deleteLocksByClient("bulk");
    tx.locks().apply(List.of(new LockStoreOp.Put(Records.lock("batch").build())));
    tx.locks().incrementServerEpoch();
    tx.locks().setCleanShutdown(true);
  }

  private void committedState() {
    write(
        tx -> {
          tx.putShare(new Share("export", LockingMode.ADVISORY));
          tx.putShare(new Share("other", LockingMode.ADVISORY));
          tx.putFile(new FileRecord(FA, "export", "a", null, FileType.FILE, 0));
          tx.locks().putLock(Records.lock("kept").build());
          tx.locks().putLock(Records.lock("gone").build());
          tx.locks().putLock(Records.lock("bulk-1").client("bulk").build());
          tx.locks().incrementServerEpoch();
        });
  }

  private void assertCommittedStateUnchanged() {
    read(
        tx -> {
          assertThat(tx.listShares())
              .containsExactly(
                  new Share("export", LockingMode.ADVISORY),
                  new Share("other", LockingMode.ADVISORY));
          assertThat(tx.getFile(FA)).isPresent();
          assertThat(tx.getFile(FB)).isEmpty();
          assertThat(tx.locks().listLocks(LockQuery.all()))
              .containsExactlyInAnyOrder(
                  Records.lock("kept").build(),
                  Records.lock("gone").build(),
                  Records.lock("bulk-1").client("bulk").build());
          assertThat(tx.locks().getServerEpoch()).isEqualTo(1);
          assertThat(tx.locks().isCleanShutdown()).isFalse();
          return null;
        });
  }

  @Test
  void uncommittedChangesAreInvisibleToOtherTransactions() {
    committedState();
    try (Transaction tx = store.begin()) {
      changeEverything(tx);
      elsewhere(
          () -> {
            assertCommittedStateUnchanged();
            return null;
          });
      tx.commit();
    }
    elsewhere(
        () -> {
          read(
              tx -> {
                assertThat(tx.listShares()).extracting(Share::name).contains("new-share");
                assertThat(tx.getShare("other")).isEmpty();
                assertThat(tx.getFile(FA)).isEmpty();
                assertThat(tx.getFile(FB)).isPresent();
                assertThat(ids(tx.locks().listLocks(LockQuery.all())))
                    .containsExactly("batch", "kept", "new");
                assertThat(tx.locks().getLock("kept").orElseThrow().owner()).isEqualTo("changed");
                assertThat(tx.locks().getServerEpoch()).isEqualTo(2);
                assertThat(tx.locks().isCleanShutdown()).isTrue();
                return null;
              });
          return null;
        });
  }

  @Test
  void rollbackDiscardsEveryChange() {
    committedState();
    try (Transaction tx = store.begin()) {
      changeEverything(tx);
      tx.rollback();
    }
    assertCommittedStateUnchanged();
  }

  @Test
  void closeWithoutCommitDiscardsEveryChange() {
    committedState();
    try (Transaction tx = store.begin()) {
      changeEverything(tx);
    }
    assertCommittedStateUnchanged();
  }

  @Test
  void inTransactionRollsBackAndRethrowsWhenTheWorkFails() {
    committedState();
    IllegalStateException boom = new IllegalStateException("boom");
    assertThatThrownBy(
            () ->
                store.inTransaction(
                    tx -> {
                      changeEverything(tx);
                      throw boom;
                    }))
        .isSameAs(boom);
    assertCommittedStateUnchanged();
  }

  @Test
  void endedTransactionsCloseAndRollBackQuietly() {
    Transaction committed = store.begin();
    committed.locks().putLock(Records.lock("1").build());
    committed.commit();
    committed.close();
    committed.rollback();
    committed.close();
    Transaction rolledBack = store.begin();
    rolledBack.locks().putLock(Records.lock("2").build());
    rolledBack.rollback();
    rolledBack.rollback();
    rolledBack.close();
    assertThat(ids(allLocks())).containsExactly("1");
  }

  @Test
  void aReaderNeverSeesHalfACommittedTransaction() {
    int rounds = 100;
    AtomicBoolean done = new AtomicBoolean();
    AtomicInteger reads = new AtomicInteger();
    Future<Void> writer =
        start(
            () -> {
              try {
                for (int i = 0; i < rounds; i++) {
                  int n = i;
                  write(
                      tx -> {
                        tx.locks().putLock(Records.lock("p" + n + "-a").client("p" + n).build());
                        tx.locks().putLock(Records.lock("p" + n + "-b").client("p" + n).build());
                        if (n > 0) {
                          tx.locks().deleteLocksByClient("p" + (n - 1));
                        }
                        tx.locks().incrementServerEpoch();
                      });
                }
              } finally {
                done.set(true);
              }
              return null;
            });
    concurrently(
        3,
        w -> {
          while (!done.get() || reads.get() < 3) {
            List<PersistedLock> seen = allLocks();
            reads.incrementAndGet();
            Map<String, Integer> perPair = new HashMap<>();
            seen.forEach(r -> perPair.merge(r.clientId(), 1, Integer::sum));
            assertThat(perPair.values())
                .as("records per transaction seen: %s", perPair)
                .allMatch(n -> n == 2);
            assertThat(perPair).as("pairs seen at once").hasSizeLessThanOrEqualTo(1);
          }
        });
    await(writer);
    assertThat(ids(allLocks())).containsExactly("p99-a", "p99-b");
    assertThat(epoch()).isEqualTo(rounds);
  }

  // ---- concurrency ----

  @Test
  void concurrentTransactionsFromEightThreadsAllLand() {
    int threads = 8;
    int perThread = 50;
    write(tx -> tx.putShare(new Share("export", LockingMode.ADVISORY)));
    concurrently(
        threads,
        w -> {
          for (int i = 0; i < perThread; i++) {
            String id = w + "." + i;
            FileRecord f =
                new FileRecord(FileHandle.of("file-" + id), "export", id, null, FileType.FILE, i);
            write(
                tx -> {
                  tx.locks()
                      .putLock(Records.lock(id).client("client-" + w).file(f.handle()).build());
                  tx.putFile(f);
                });
          }
        });
    assertThat(allLocks()).hasSize(threads * perThread);
    assertThat(files("export")).hasSize(threads * perThread);
    for (int w = 0; w < threads; w++) {
      String client = "client-" + w;
      assertThat(locks(LockQuery.all().withClientId(client))).hasSize(perThread);
    }
  }

  @Test
  void concurrentEpochIncrementsAreDistinctAndConsecutive() {
    int threads = 8;
    int perThread = 25;
    Set<Long> seen = ConcurrentHashMap.newKeySet();
    AtomicInteger duplicates = new AtomicInteger();
    concurrently(
        threads,
        w -> {
          for (int i = 0; i < perThread; i++) {
            if (!seen.add(incrementEpoch())) {
              duplicates.incrementAndGet();
            }
          }
        });
    assertThat(duplicates).hasValue(0);
    Set<Long> expected = new HashSet<>();
    for (long e = 1; e <= threads * perThread; e++) {
      expected.add(e);
    }
    assertThat(seen).isEqualTo(expected);
    assertThat(epoch()).isEqualTo(threads * perThread);
  }

  @Test
  void concurrentReplacesOfOneRecordLeaveOneWrittenVersion() {
    int threads = 8;
    Set<String> written = ConcurrentHashMap.newKeySet();
    concurrently(
        threads,
        w -> {
          for (int i = 0; i < 20; i++) {
            String owner = "t" + w + "-" + i;
            put(Records.lock("contended").owner(owner).build());
            written.add(owner);
          }
        });
    List<PersistedLock> all = allLocks();
    assertThat(all).hasSize(1);
    assertThat(written).contains(all.get(0).owner());
  }

  @Test
  void exactlyOneOfConcurrentDeletersOfARecordSeesItDeleted() {
    int records = 50;
    List<PersistedLock> data = new ArrayList<>();
    for (int i = 0; i < records; i++) {
      data.add(Records.lock("r" + i).build());
    }
    put(data);
    Map<String, AtomicInteger> deleted = new ConcurrentHashMap<>();
    concurrently(
        8,
        w -> {
          for (int i = 0; i < records; i++) {
            String id = "r" + i;
            if (deleteLock(id)) {
              deleted.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
            }
          }
        });
    assertThat(deleted).hasSize(records);
    assertThat(deleted.values()).allMatch(n -> n.get() == 1);
    assertThat(allLocks()).isEmpty();
  }

  // ---- values: ranges, kinds, times, epochs, handles ----

  @Test
  void unsignedRangeBoundsRoundTripExactly() {
    List<ByteRange> ranges =
        List.of(
            ByteRange.of(0, 0),
            ByteRange.of(0, Long.MAX_VALUE),
            ByteRange.of(Long.MAX_VALUE, Long.MAX_VALUE),
            ByteRange.of(Long.MAX_VALUE, TOP),
            ByteRange.of(TOP, TOP),
            ByteRange.of(TOP, MAX),
            ByteRange.of(MAX, MAX),
            ByteRange.of(0, MAX - 1),
            ByteRange.of(1, MAX),
            ByteRange.span(MAX - 9, 10),
            ByteRange.span(TOP - 5, 10),
            ByteRange.toEnd(TOP + 1));
    List<PersistedLock> data = new ArrayList<>();
    for (int i = 0; i < ranges.size(); i++) {
      data.add(Records.lock("r" + i).range(ranges.get(i)).build());
    }
    put(data);
    for (int i = 0; i < ranges.size(); i++) {
      String id = "r" + i;
      PersistedLock back = lock(id).orElseThrow();
      assertThat(back.range()).as("range %s", ranges.get(i)).isEqualTo(ranges.get(i));
      assertThat(back.range().first()).isEqualTo(ranges.get(i).first());
      assertThat(back.range().last()).isEqualTo(ranges.get(i).last());
    }
    assertThat(allLocks()).containsExactlyInAnyOrderElementsOf(data);
  }

  @Test
  void zeroLengthRangesRoundTripAndStayDistinctFromOneByteRanges() {
    List<ByteRange> ranges =
        List.of(
            ByteRange.zeroLength(0),
            ByteRange.of(0, 0),
            ByteRange.zeroLength(5),
            ByteRange.of(5, 5),
            ByteRange.zeroLength(TOP),
            ByteRange.of(TOP, TOP),
            ByteRange.zeroLength(MAX),
            ByteRange.of(MAX, MAX));
    List<PersistedLock> data = new ArrayList<>();
    for (int i = 0; i < ranges.size(); i++) {
      data.add(Records.lock("z" + i).windows().shared().range(ranges.get(i)).build());
    }
    put(data);
    for (int i = 0; i < ranges.size(); i++) {
      String id = "z" + i;
      ByteRange back = lock(id).orElseThrow().range();
      assertThat(back).isEqualTo(ranges.get(i));
      assertThat(back.isZeroLength()).isEqualTo(ranges.get(i).isZeroLength());
    }
  }

  @Test
  void wholeFileAndToEndRangesRoundTrip() {
    put(
        Records.lock("whole").range(ByteRange.whole()).build(),
        Records.lock("tail").range(ByteRange.toEnd(TOP)).build(),
        Records.lock("last").range(ByteRange.toEnd(MAX)).build());
    assertThat(lock("whole").orElseThrow().range())
        .isEqualTo(ByteRange.whole())
        .matches(ByteRange::isToEnd);
    assertThat(lock("tail").orElseThrow().range()).isEqualTo(ByteRange.toEnd(TOP));
    assertThat(lock("last").orElseThrow().range()).isEqualTo(ByteRange.of(MAX, MAX));
  }

  @Test
  void lockRecordsOfEveryFlavourAndTypeRoundTripExactly() {
    List<PersistedLock> data = new ArrayList<>();
    for (LockFlavour flavour : LockFlavour.values()) {
      for (LockType type : LockType.values()) {
        data.add(
            Records.lock(flavour + "-" + type)
                .flavour(flavour)
                .type(type)
                .owner("owner-" + flavour)
                .client("client-" + type)
                .adapter(flavour == LockFlavour.POSIX ? "nlm" : "smb")
                .share("share-" + flavour)
                .range(ByteRange.span(7, 3))
                .epoch(42)
                .build());
      }
    }
    put(data);
    for (PersistedLock r : data) {
      assertThat(lock(r.id())).contains(r);
    }
    assertThat(allLocks()).containsExactlyInAnyOrderElementsOf(data);
  }

  @Test
  void openRecordsRoundTripEveryAccessAndDenySet() {
    List<Set<ShareAccess>> subsets = new ArrayList<>();
    for (int mask = 0; mask < 8; mask++) {
      Set<ShareAccess> s = EnumSet.noneOf(ShareAccess.class);
      for (ShareAccess a : ShareAccess.values()) {
        if ((mask & a.bit()) != 0) {
          s.add(a);
        }
      }
      subsets.add(s);
    }
    List<PersistedLock> data = new ArrayList<>();
    for (int a = 0; a < 8; a++) {
      for (int d = 0; d < 8; d++) {
        data.add(
            Records.open("open-" + a + "-" + d)
                .access(subsets.get(a))
                .deny(subsets.get(d))
                .adapter("smb")
                .build());
      }
    }
    put(data);
    List<PersistedLock> back = allLocks();
    assertThat(back).containsExactlyInAnyOrderElementsOf(data);
    assertThat(back)
        .allSatisfy(
            r -> {
              assertThat(r.kind()).isEqualTo(Kind.OPEN);
              assertThat(r.flavour()).isNull();
              assertThat(r.type()).isNull();
              assertThat(r.range()).isNull();
            });
  }

  @Test
  void acquisitionTimesKeepAtLeastMicroseconds() {
    List<Instant> exact =
        List.of(
            T0,
            Instant.EPOCH,
            Instant.parse("1969-12-31T23:59:59.999999Z"),
            Instant.parse("2000-02-29T12:00:00.000001Z"),
            Instant.parse("2999-12-31T23:59:59.999999Z"));
    Instant nanos = Instant.parse("2024-05-06T07:08:09.123456789Z");
    List<PersistedLock> data = new ArrayList<>();
    for (int i = 0; i < exact.size(); i++) {
      data.add(Records.lock("t" + i).at(exact.get(i)).build());
    }
    data.add(Records.open("nanos").at(nanos).build());
    put(data);
    for (int i = 0; i < exact.size(); i++) {
      String id = "t" + i;
      assertThat(lock(id).orElseThrow().acquiredAt()).isEqualTo(exact.get(i));
    }
    Instant back = lock("nanos").orElseThrow().acquiredAt();
    assertThat(back).isCloseTo(nanos, within(1, ChronoUnit.MICROS));
    assertThat(back.truncatedTo(ChronoUnit.MILLIS)).isEqualTo(nanos.truncatedTo(ChronoUnit.MILLIS));
  }

  @Test
  void recordEpochsRoundTripUpToLongMax() {
    put(
        Records.lock("e0").epoch(0).build(),
        Records.lock("e1").epoch(1).build(),
        Records.open("emax").epoch(Long.MAX_VALUE).build());
    assertThat(lock("e0").orElseThrow().epoch()).isZero();
    assertThat(lock("e1").orElseThrow().epoch()).isEqualTo(1);
    assertThat(lock("emax").orElseThrow().epoch()).isEqualTo(Long.MAX_VALUE);
  }

  private static List<FileHandle> awkwardHandles() {
    byte[] every = new byte[256];
    for (int i = 0; i < 256; i++) {
      every[i] = (byte) i;
    }
    byte[] random = new byte[FileHandle.MAX_LENGTH];
    new Random(42).nextBytes(random);
    byte[] ones = new byte[FileHandle.MAX_LENGTH];
    Arrays.fill(ones, (byte) 0xff);
    return List.of(
        FileHandle.of(new byte[] {0}),
        FileHandle.of(new byte[] {0, 0}),
        FileHandle.of(new byte[] {1}),
        FileHandle.of(new byte[] {1, 0}),
        FileHandle.of(new byte[] {(byte) 0xff}),
        FileHandle.of(new byte[] {(byte) 0xff, 0}),
        FileHandle.of(new byte[] {(byte) 0xc3, (byte) 0xa9}), // é in UTF-8
        FileHandle.of(new byte[] {(byte) 0xe9}), // é in Latin-1
        FileHandle.of(new byte[] {(byte) 0xc3}), // not UTF-8
        FileHandle.of(new byte[] {'A'}),
        FileHandle.of(new byte[] {'a'}),
        FileHandle.of(every),
        FileHandle.of(random),
        FileHandle.of(ones));
  }

  @Test
  void fileHandlesWithArbitraryBytesRoundTripAndNeverCollide() {
    List<FileHandle> handles = awkwardHandles();
    List<PersistedLock> data = new ArrayList<>();
    for (int i = 0; i < handles.size(); i++) {
      data.add(Records.lock("h" + i).file(handles.get(i)).build());
      data.add(Records.open("o" + i).file(handles.get(i)).build());
    }
    put(data);
    for (int i = 0; i < handles.size(); i++) {
      FileHandle h = handles.get(i);
      String id = "h" + i;
      assertThat(lock(id).orElseThrow().file().bytes()).isEqualTo(h.bytes());
      assertThat(ids(locks(LockQuery.byFile(h))))
          .as("records of handle %s", h)
          .containsExactly("h" + i, "o" + i);
    }
    for (int i = 0; i < handles.size(); i++) {
      FileHandle h = handles.get(i);
      assertThat(deleteLocksByFile(h)).as("deleted for handle %s", h).isEqualTo(2);
      assertThat(allLocks()).hasSize(data.size() - 2 * (i + 1));
    }
  }

  @Test
  void fileRecordHandlesAndParentsWithArbitraryBytesRoundTrip() {
    List<FileHandle> handles = awkwardHandles();
    List<FileRecord> files = new ArrayList<>();
    for (int i = 0; i < handles.size(); i++) {
      FileHandle parent = handles.get((i + 1) % handles.size());
      files.add(new FileRecord(handles.get(i), "export", "n" + i, parent, FileType.FILE, i));
    }
    write(
        tx -> {
          tx.putShare(new Share("export", LockingMode.ADVISORY));
          files.forEach(tx::putFile);
        });
    for (FileRecord f : files) {
      Optional<FileRecord> back = file(f.handle());
      assertThat(back).as("file %s", f.handle()).contains(f);
      assertThat(back.orElseThrow().parent().bytes()).isEqualTo(f.parent().bytes());
    }
    assertThat(files("export")).containsExactlyInAnyOrderElementsOf(files);
    for (FileRecord f : files) {
      assertThat(deleteFile(f.handle())).isTrue();
    }
    assertThat(files("export")).isEmpty();
  }

  // ---- values: text ----

  @Test
  void trickyIdsAreStoredAndFoundExactly() {
    List<String> texts = TrickyText.all();
    List<PersistedLock> data = new ArrayList<>();
    for (int i = 0; i < texts.size(); i++) {
      data.add(Records.lock(texts.get(i)).owner("owner-" + i).build());
    }
    put(data);
    assertThat(allLocks()).containsExactlyInAnyOrderElementsOf(data);
    for (PersistedLock r : data) {
      assertThat(lock(r.id())).as("record %s", r.id()).contains(r);
    }
    for (int i = 0; i < data.size(); i++) {
      String id = data.get(i).id();
      assertThat(deleteLock(id)).as("delete %s", id).isTrue();
      assertThat(allLocks()).containsExactlyInAnyOrderElementsOf(data.subList(i + 1, data.size()));
    }
  }

  @Test
  void lookalikeIdsNeverCollide() {
    for (List<String> family : TrickyText.LOOKALIKES) {
      List<PersistedLock> data = new ArrayList<>();
      for (int i = 0; i < family.size(); i++) {
        data.add(Records.lock(family.get(i)).owner("member-" + i).build());
      }
      put(data);
      for (PersistedLock r : data) {
        assertThat(lock(r.id())).as("record %s", r.id()).contains(r);
      }
      assertThat(deleteLock(family.get(0))).isTrue();
      assertThat(allLocks())
          .as("after deleting %s", family.get(0))
          .containsExactlyInAnyOrderElementsOf(data.subList(1, data.size()));
      write(tx -> family.forEach(tx.locks()::deleteLock));
    }
  }

  @Test
  void trickyOwnersMatchOnlyThemselves() {
    List<String> texts = TrickyText.all();
    List<PersistedLock> data = new ArrayList<>();
    for (int i = 0; i < texts.size(); i++) {
      data.add(Records.lock("r" + i).owner(texts.get(i)).build());
    }
    put(data);
    for (int i = 0; i < texts.size(); i++) {
      String owner = texts.get(i);
      assertThat(locks(LockQuery.all().withOwner(owner)))
          .as("records of owner [%s]", owner)
          .containsExactly(data.get(i));
    }
  }

  @Test
  void trickyClientIdsMatchAndDeleteOnlyThemselves() {
    List<String> texts = TrickyText.all();
    List<PersistedLock> data = new ArrayList<>();
    for (int i = 0; i < texts.size(); i++) {
      data.add(Records.lock("l" + i).client(texts.get(i)).build());
      data.add(Records.open("o" + i).client(texts.get(i)).build());
    }
    put(data);
    for (int i = 0; i < texts.size(); i++) {
      String client = texts.get(i);
      assertThat(ids(locks(LockQuery.all().withClientId(client))))
          .as("records of client [%s]", client)
          .containsExactly("l" + i, "o" + i);
    }
    for (int i = 0; i < texts.size(); i++) {
      String client = texts.get(i);
      assertThat(deleteLocksByClient(client)).as("deleted for client [%s]", client).isEqualTo(2);
      assertThat(allLocks()).hasSize(data.size() - 2 * (i + 1));
    }
  }

  @Test
  void trickyShareNamesRoundTripAndMatchOnlyThemselves() {
    List<String> texts = TrickyText.all();
    List<PersistedLock> data = new ArrayList<>();
    write(
        tx -> {
          for (int i = 0; i < texts.size(); i++) {
            LockingMode mode = i % 2 == 0 ? LockingMode.ADVISORY : LockingMode.MANDATORY;
            tx.putShare(new Share(texts.get(i), mode));
          }
        });
    for (int i = 0; i < texts.size(); i++) {
      data.add(Records.lock("r" + i).share(texts.get(i)).build());
    }
    put(data);
    for (int i = 0; i < texts.size(); i++) {
      String share = texts.get(i);
      LockingMode mode = i % 2 == 0 ? LockingMode.ADVISORY : LockingMode.MANDATORY;
      assertThat(share(share)).contains(new Share(share, mode));
      assertThat(locks(LockQuery.all().withShare(share)))
          .as("records of share [%s]", share)
          .containsExactly(data.get(i));
    }
    assertThat(shares())
        .extracting(Share::name)
        .containsExactlyElementsOf(texts.stream().sorted().toList());
  }

  @Test
  void trickyFileAndShareNamesOfFileRecordsRoundTrip() {
    List<String> texts = TrickyText.all();
    List<FileRecord> files = new ArrayList<>();
    for (int i = 0; i < texts.size(); i++) {
      files.add(
          new FileRecord(
              FileHandle.of("h" + i), texts.get(i), texts.get(i), null, FileType.FILE, i));
    }
    write(
        tx -> {
          texts.forEach(t -> tx.putShare(new Share(t, LockingMode.ADVISORY)));
          files.forEach(tx::putFile);
        });
    for (int i = 0; i < texts.size(); i++) {
      String share = texts.get(i);
      assertThat(files(share)).as("files of share [%s]", share).containsExactly(files.get(i));
      FileHandle h = FileHandle.of("h" + i);
      assertThat(file(h)).contains(files.get(i));
    }
  }

  @Test
  void trickyTextInEveryStringFieldAtOnceRoundTrips() {
    String t = TrickyText.INJECTION + TrickyText.NON_ASCII;
    PersistedLock lock =
        Records.lock(t).owner(t).client(t).adapter("'; --").share(t).windows().build();
    PersistedLock open =
        Records.open(t + "%").owner(t + "%").client(t + "_").adapter("🔒").share(t).build();
    put(lock, open);
    assertThat(allLocks()).containsExactlyInAnyOrder(lock, open);
    LockQuery q =
        LockQuery.byFile(Records.FILE)
            .withOwner(t)
            .withClientId(t)
            .withShare(t)
            .withKind(Kind.LOCK);
    assertThat(locks(q)).containsExactly(lock);
    assertThat(deleteLocksByClient(t)).isEqualTo(1);
    assertThat(allLocks()).containsExactly(open);
  }

  // ---- limits ----

  @Test
  void idsOfTheMaximumLengthAreStored() {
    String bmp = TrickyText.ofChars(RecordLimits.MAX_ID_CHARS);
    String emoji = "🔒".repeat(RecordLimits.MAX_ID_CHARS / 2);
    String ascii = "x".repeat(RecordLimits.MAX_ID_CHARS);
    put(Records.lock(bmp).build(), Records.lock(emoji).build(), Records.lock(ascii).build());
    assertThat(lock(bmp)).map(PersistedLock::id).contains(bmp);
    assertThat(lock(emoji)).map(PersistedLock::id).contains(emoji);
    assertThat(lock(ascii)).map(PersistedLock::id).contains(ascii);
  }

  @Test
  void anIdOneCharacterOverTheLimitIsRefusedAndNothingIsStored() {
    put(Records.lock("kept").build());
    String tooLong = "x".repeat(RecordLimits.MAX_ID_CHARS + 1);
    StoreError e =
        invalid(
            tx -> {
              tx.locks().putLock(Records.lock("with-it").build());
              tx.locks().putLock(Records.lock(tooLong).build());
            });
    assertThat(e).hasMessageContaining("id");
    invalid(
        tx ->
            tx.locks()
                .putLock(Records.open(TrickyText.ofChars(RecordLimits.MAX_ID_CHARS + 1)).build()));
    assertThat(ids(allLocks())).containsExactly("kept");
  }

  @Test
  void ownersAndClientIdsOfTheMaximumSizeAreStoredAndOneByteMoreIsRefused() {
    String max = TrickyText.ofUtf8Bytes(RecordLimits.MAX_OWNER_BYTES);
    String over = TrickyText.ofUtf8Bytes(RecordLimits.MAX_OWNER_BYTES + 1);
    PersistedLock r = Records.lock("max").owner(max).client(max).build();
    put(r);
    assertThat(lock("max")).contains(r);
    assertThat(locks(LockQuery.all().withOwner(max).withClientId(max))).containsExactly(r);
    invalid(tx -> tx.locks().putLock(Records.lock("owner-over").owner(over).build()));
    invalid(tx -> tx.locks().putLock(Records.lock("client-over").client(over).build()));
    invalid(tx -> tx.locks().putLock(Records.open("ascii-over").owner("o".repeat(1025)).build()));
    assertThat(ids(allLocks())).containsExactly("max");
  }

  @Test
  void adapterNamesOverTheLimitAreRefused() {
    String max = TrickyText.ofUtf8Bytes(RecordLimits.MAX_ADAPTER_BYTES);
    put(Records.lock("max").adapter(max).build());
    assertThat(lock("max").orElseThrow().adapter()).isEqualTo(max);
    invalid(
        tx ->
            tx.locks()
                .putLock(
                    Records.lock("over")
                        .adapter(TrickyText.ofUtf8Bytes(RecordLimits.MAX_ADAPTER_BYTES + 1))
                        .build()));
    assertThat(ids(allLocks())).containsExactly("max");
  }

  @Test
  void shareNamesOverTheLimitAreRefusedForSharesLocksAndFiles() {
    String max = TrickyText.ofUtf8Bytes(RecordLimits.MAX_NAME_BYTES);
    String over = TrickyText.ofUtf8Bytes(RecordLimits.MAX_NAME_BYTES + 1);
    write(
        tx -> {
          tx.putShare(new Share(max, LockingMode.MANDATORY));
          tx.locks().putLock(Records.lock("max").share(max).build());
          tx.putFile(new FileRecord(FA, max, "a", null, FileType.FILE, 0));
        });
    assertThat(share(max)).contains(new Share(max, LockingMode.MANDATORY));
    invalid(tx -> tx.putShare(new Share(over, LockingMode.ADVISORY)));
    invalid(tx -> tx.locks().putLock(Records.lock("over").share(over).build()));
    invalid(tx -> tx.putFile(new FileRecord(FB, over, "b", null, FileType.FILE, 0)));
    assertThat(shares()).extracting(Share::name).containsExactly(max);
    assertThat(ids(allLocks())).containsExactly("max");
    assertThat(file(FB)).isEmpty();
  }

  @Test
  void fileNamesOverTheLimitAreRefused() {
    String max = TrickyText.ofUtf8Bytes(RecordLimits.MAX_NAME_BYTES);
    String over = TrickyText.ofUtf8Bytes(RecordLimits.MAX_NAME_BYTES + 1);
    FileRecord f = new FileRecord(FA, "export", max, null, FileType.FILE, 0);
    write(
        tx -> {
          tx.putShare(new Share("export", LockingMode.ADVISORY));
          tx.putFile(f);
        });
    assertThat(file(FA)).contains(f);
    invalid(tx -> tx.putFile(new FileRecord(FB, "export", over, null, FileType.FILE, 0)));
    invalid(tx -> tx.putFile(new FileRecord(FA, "export", over, null, FileType.FILE, 0)));
    assertThat(file(FA)).contains(f);
    assertThat(file(FB)).isEmpty();
  }
}
