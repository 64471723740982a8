package org.dittofs.metadata.store.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.dittofs.metadata.errors.ErrorCode;
import org.dittofs.metadata.errors.StoreError;
import org.dittofs.metadata.lock.ByteRange;
import org.dittofs.metadata.lock.FileHandle;
import org.dittofs.metadata.lock.spi.LockQuery;
import org.dittofs.metadata.lock.spi.PersistedLock;
import org.dittofs.metadata.lock.spi.PersistedLock.Kind;
import org.dittofs.metadata.lock.testing.Records;
import org.dittofs.metadata.spi.Transaction;
import org.junit.jupiter.api.Test;

/**
 * The store conformance suite, part 2: lock record queries and bulk deletes. The parts extend each
 * other so that a store's one test class runs all of them: see {@link AbstractMetadataStoreTest}.
 */
abstract class LockQueryConformance extends LockRecordConformance {
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
}
