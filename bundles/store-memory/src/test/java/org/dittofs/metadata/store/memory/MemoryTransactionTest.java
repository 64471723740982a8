package org.dittofs.metadata.store.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.dittofs.metadata.FileRecord;
import org.dittofs.metadata.FileType;
import org.dittofs.metadata.RecordLimits;
import org.dittofs.metadata.Share;
import org.dittofs.metadata.errors.ErrorCode;
import org.dittofs.metadata.errors.StoreError;
import org.dittofs.metadata.lock.FileHandle;
import org.dittofs.metadata.lock.LockingMode;
import org.dittofs.metadata.lock.spi.LockQuery;
import org.dittofs.metadata.lock.spi.LockStoreOp;
import org.dittofs.metadata.lock.testing.Records;
import org.dittofs.metadata.spi.Transaction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The memory store's own transaction mechanics: overlays, the writer lock, visibility. */
class MemoryTransactionTest {
  private final MemoryMetadataStore store = new MemoryMetadataStore();
  private final ExecutorService other = Executors.newSingleThreadExecutor();

  @AfterEach
  void stop() throws InterruptedException {
    other.shutdownNow();
    other.awaitTermination(10, TimeUnit.SECONDS);
  }

  private static void changeEverything(Transaction tx) {
    tx.putShare(new Share("export", LockingMode.ADVISORY));
    tx.putFile(new FileRecord(FileHandle.of("f"), "export", "f", null, FileType.FILE, 1));
    tx.locks().putLock(Records.lock("1.1").build());
    tx.locks().apply(List.of(new LockStoreOp.Put(Records.open("1.2").build())));
    tx.locks().incrementServerEpoch();
    tx.locks().setCleanShutdown(true);
  }

  private void assertEmpty() {
    assertThat(store.shares).isEmpty();
    assertThat(store.files).isEmpty();
    assertThat(store.locks).isEmpty();
    assertThat(store.epoch).isZero();
    assertThat(store.clean).isFalse();
  }

  @Test
  void rollbackLeavesNothingAndReleasesTheWriterLock() {
    try (Transaction tx = store.begin()) {
      changeEverything(tx);
      assertThat(store.writers.isLocked()).isTrue();
      tx.rollback();
    }
    assertEmpty();
    assertThat(store.writers.isLocked()).isFalse();
  }

  @Test
  void closeWithoutCommitLeavesNothing() {
    try (Transaction tx = store.begin()) {
      changeEverything(tx);
    }
    assertEmpty();
    assertThat(store.writers.isLocked()).isFalse();
  }

  @Test
  void aRefusedWriteLeavesNothingAndItsTransactionStillRollsBack() {
    try (Transaction tx = store.begin()) {
      tx.locks().putLock(Records.lock("ok").build());
      assertThatThrownBy(
              () ->
                  tx.locks()
                      .putLock(Records.lock("x".repeat(RecordLimits.MAX_ID_CHARS + 1)).build()))
          .isInstanceOfSatisfying(
              StoreError.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT));
    }
    assertEmpty();
    assertThat(store.writers.isLocked()).isFalse();
  }

  @Test
  void aCommittedTransactionIsInvisibleToAConcurrentReaderUntilItCommits() throws Exception {
    Transaction tx = store.begin();
    changeEverything(tx);
    Future<Integer> before =
        other.submit(() -> store.inTransaction(r -> r.locks().listLocks(LockQuery.all()).size()));
    assertThat(before.get(10, TimeUnit.SECONDS)).isZero();
    assertThat(store.locks).isEmpty();
    tx.commit();
    Future<Long> after = other.submit(() -> store.inTransaction(r -> r.locks().getServerEpoch()));
    assertThat(after.get(10, TimeUnit.SECONDS)).isEqualTo(1);
    assertThat(store.locks).containsOnlyKeys("1.1", "1.2");
    assertThat(store.shares).containsOnlyKeys("export");
    assertThat(store.clean).isTrue();
    assertThat(store.writers.isLocked()).isFalse();
  }

  @Test
  void readOnlyTransactionsDoNotWaitForAWriter() throws Exception {
    try (Transaction writer = store.begin()) {
      writer.locks().putLock(Records.lock("1.1").build());
      Future<Boolean> reader =
          other.submit(
              () ->
                  store.inTransaction(
                      r -> r.locks().getLock("1.1").isEmpty() && !r.locks().isCleanShutdown()));
      assertThat(reader.get(10, TimeUnit.SECONDS)).isTrue();
      writer.commit();
    }
  }

  @Test
  void writersAreSerializedFromTheirFirstWriteToTheirEnd() throws Exception {
    Transaction first = store.begin();
    first.locks().incrementServerEpoch();
    CountDownLatch began = new CountDownLatch(1);
    Future<Long> second =
        other.submit(
            () -> {
              try (Transaction tx = store.begin()) {
                assertThat(tx.locks().getServerEpoch()).isZero(); // reads do not wait
                began.countDown();
                long e = tx.locks().incrementServerEpoch(); // waits for the first writer
                tx.commit();
                return e;
              }
            });
    assertThat(began.await(10, TimeUnit.SECONDS)).isTrue();
    // poll until the second writer is parked on the writer lock (bounded, never a fixed pause)
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!store.writers.hasQueuedThreads() && System.nanoTime() < deadline) {
      java.util.concurrent.locks.LockSupport.parkNanos(1_000_000L);
    }
    assertThat(store.writers.hasQueuedThreads()).as("the second writer waits").isTrue();
    assertThat(second.isDone()).as("the second writer waits").isFalse();
    first.commit();
    assertThat(second.get(10, TimeUnit.SECONDS))
        .as("the second increment reads the first one's commit")
        .isEqualTo(2);
    assertThat(store.epoch).isEqualTo(2);
  }

  @Test
  void anEndedTransactionRefusesFurtherUse() {
    Transaction tx = store.begin();
    tx.locks().putLock(Records.lock("1.1").build());
    tx.commit();
    assertThatThrownBy(() -> tx.locks().getLock("1.1"))
        .isInstanceOfSatisfying(
            StoreError.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT));
    assertThatThrownBy(() -> tx.locks().putLock(Records.lock("1.2").build()))
        .isInstanceOf(StoreError.class);
    assertThat(store.writers.isLocked()).isFalse();
    tx.close();
    assertThat(store.locks).containsOnlyKeys("1.1");
  }

  @Test
  void committedRecordsAreTheObjectsThatWerePut() {
    var r = Records.lock("1.1").build();
    try (Transaction tx = store.begin()) {
      tx.locks().putLock(r);
      tx.commit();
    }
    assertThat(store.locks.get("1.1")).isSameAs(r);
  }
}
