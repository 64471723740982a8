package org.dittofs.metadata.store.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.dittofs.metadata.FileRecord;
import org.dittofs.metadata.FileType;
import org.dittofs.metadata.Share;
import org.dittofs.metadata.lock.FileHandle;
import org.dittofs.metadata.lock.LockingMode;
import org.dittofs.metadata.lock.spi.LockQuery;
import org.dittofs.metadata.lock.spi.LockStoreOp;
import org.dittofs.metadata.lock.spi.PersistedLock;
import org.dittofs.metadata.lock.testing.Records;
import org.dittofs.metadata.spi.Transaction;
import org.junit.jupiter.api.Test;

/**
 * The store conformance suite, part 3: transactions (isolation, atomicity, rollback) and concurrent
 * transactions. The parts extend each other so that a store's one test class runs all of them: see
 * {@link AbstractMetadataStoreTest}.
 */
abstract class TransactionConformance extends LockQueryConformance {
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
}
