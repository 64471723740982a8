package org.dittofs.metadata.lock.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Optional;
import org.dittofs.metadata.errors.ErrorCode;
import org.dittofs.metadata.errors.StoreError;
import org.dittofs.metadata.lock.ByteRange;
import org.dittofs.metadata.lock.FileHandle;
import org.dittofs.metadata.lock.Lock;
import org.dittofs.metadata.lock.LockClient;
import org.dittofs.metadata.lock.LockFlavour;
import org.dittofs.metadata.lock.LockOwner;
import org.dittofs.metadata.lock.LockRequest;
import org.dittofs.metadata.lock.LockResult;
import org.dittofs.metadata.lock.LockType;
import org.dittofs.metadata.lock.PendingLock;
import org.dittofs.metadata.lock.UnlockRequest;
import org.dittofs.metadata.lock.host.LockManager;
import org.dittofs.metadata.lock.host.LockManagers;
import org.dittofs.metadata.lock.testing.InMemoryLockCluster;
import org.junit.jupiter.api.Test;

/**
 * Waiting across the nodes of a cluster (docs/cluster.md, SPEC 5) on two lock managers sharing an
 * {@link InMemoryLockCluster}: a waiter at one node is granted by the node whose release frees it
 * and answered at its own node after the notification; FIFO holds across nodes; a deadlock whose
 * edges were set at different nodes is found; timeouts, cancels, a client's release and a node's
 * stop end waits where they should. Answers come on other threads, so each is awaited (bounded).
 */
class ClusterWaitingTest extends OnTwoNodes {
  private static final FileHandle F = FileHandle.of("f");
  private static final FileHandle G = FileHandle.of("g");
  private static final Duration LONG = Duration.ofSeconds(60);
  private static final Duration AWAIT = Duration.ofSeconds(20);

  private static LockRequest x(FileHandle f, String owner, long first, long last) {
    return posix(f, owner, LockType.EXCLUSIVE, first, last);
  }

  private static void unlock(LockManager n, FileHandle f, String owner, long first, long last) {
    n.unlock(
        new UnlockRequest(f, LockOwner.of(owner), LockFlavour.POSIX, ByteRange.of(first, last)));
  }

  private static Lock granted(PendingLock p) throws InterruptedException {
    Optional<Lock> l = p.await(AWAIT);
    assertThat(l).as("%s answered within %s", p, AWAIT).isPresent();
    return l.get();
  }

  private static StoreError failed(PendingLock p) {
    return catchStoreError(() -> p.await(AWAIT));
  }

  private static StoreError catchStoreError(ThrowingRunnable r) {
    try {
      r.run();
    } catch (StoreError e) {
      return e;
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    throw new AssertionError("no StoreError");
  }

  @FunctionalInterface
  private interface ThrowingRunnable {
    void run() throws Exception;
  }

  @Test
  void aWaiterIsGrantedByTheNodeThatFreesItAndAnsweredAtItsOwn() throws Exception {
    assertThat(n0.lock(x(F, "a", 0, 9)).granted()).isTrue();
    PendingLock b = n1.lockBlocking(x(F, "b", 5, 14), LONG);
    assertThat(b.isDone()).isFalse();
    assertThat(n0.waiters(F)).extracting(l -> l.owner().id()).containsExactly("b");
    unlock(n0, F, "a", 0, 9);
    Lock got = granted(b);
    assertThat(got.range()).isEqualTo(ByteRange.of(5, 14));
    assertThat(n0.locks(F)).containsExactly(got);
    assertThat(cluster.waiters(F)).isEmpty(); // n1 answered it and deleted its row
    assertThat(cluster.edges()).isEmpty();
  }

  @Test
  void fifoHoldsAcrossNodesAndANewcomerDoesNotPassAWaiter() throws Exception {
    assertThat(n0.lock(x(F, "a", 0, 9)).granted()).isTrue();
    PendingLock b = n1.lockBlocking(x(F, "b", 0, 9), LONG);
    PendingLock c = n0.lockBlocking(x(F, "c", 0, 9), LONG);
    // n1 changes the file, so n0 rebuilds the queue from the rows (in id order) before it decides
    assertThat(n1.lock(posix(F, "z", LockType.SHARED, 100, 100)).granted()).isTrue();
    // a non-blocking request at either node meets b's queued request before it
    LockResult d = n0.lock(posix(F, "d", LockType.SHARED, 5, 5));
    assertThat(d.granted()).isFalse();
    assertThat(((LockResult.Denied) d).conflict().owner().id()).isEqualTo("a");
    unlock(n0, F, "a", 0, 9);
    granted(b);
    assertThat(c.isDone()).isFalse();
    LockResult e = n0.lock(posix(F, "e", LockType.SHARED, 5, 5));
    assertThat(((LockResult.Denied) e).conflict().owner().id()).isEqualTo("b");
    unlock(n1, F, "b", 0, 9);
    granted(c);
    assertThat(n1.locks(F)).extracting(l -> l.owner().id()).containsExactly("c", "z");
  }

  @Test
  void aDeadlockWhoseEdgesWereSetAtTwoNodesIsFound() throws Exception {
    assertThat(n0.lock(x(F, "a", 0, 9)).granted()).isTrue();
    assertThat(n1.lock(x(G, "b", 0, 9)).granted()).isTrue();
    PendingLock aWaits = n0.lockBlocking(x(G, "a", 0, 0), LONG); // edge a -> b, set at n0
    StoreError e =
        catchStoreError(() -> n1.lockBlocking(x(F, "b", 0, 0), LONG)); // b -> a closes it
    assertThat(e.code()).isEqualTo(ErrorCode.DEADLOCK);
    assertThat(aWaits.isDone()).isFalse();
    unlock(n1, G, "b", 0, 9);
    granted(aWaits);
    assertThat(cluster.edges()).isEmpty();
  }

  @Test
  void aTimeoutAndACancelEndTheWaitAtItsNodeAndLeaveNoRow() throws Exception {
    assertThat(n0.lock(x(F, "a", 0, 9)).granted()).isTrue();
    PendingLock shortWait = n1.lockBlocking(x(F, "b", 0, 0), Duration.ofMillis(200));
    assertThat(failed(shortWait).code()).isEqualTo(ErrorCode.TIMED_OUT);
    PendingLock cancelled = n1.lockBlocking(x(F, "c", 0, 0), LONG);
    assertThat(cancelled.cancel()).isTrue();
    assertThat(failed(cancelled).code()).isEqualTo(ErrorCode.CANCELLED);
    assertThat(cluster.waiters(F)).isEmpty();
    unlock(n0, F, "a", 0, 9);
    assertThat(n0.locks(F)).isEmpty(); // nobody was granted after they left
  }

  @Test
  void aClientReleasedAtAnotherNodeEndsItsWaitWithCancelled() throws Exception {
    assertThat(n0.lock(x(F, "a", 0, 9)).granted()).isTrue();
    PendingLock b = n1.lockBlocking(x(F, "b", 0, 0), LONG);
    n0.clientRebooted(new LockClient("c-b", "t")); // NSM says b's host rebooted, told to n0
    assertThat(failed(b).code()).isEqualTo(ErrorCode.CANCELLED);
    assertThat(cluster.waiters(F)).isEmpty();
  }

  @Test
  void aNodeThatStopsCancelsItsOwnWaitersOnly() throws Exception {
    assertThat(n0.lock(x(F, "a", 0, 9)).granted()).isTrue();
    LockManager n2 = LockManagers.builder().cluster(cluster.node("n2")).build();
    PendingLock b = n1.lockBlocking(x(F, "b", 0, 0), LONG);
    PendingLock c = n2.lockBlocking(x(F, "c", 0, 0), LONG);
    n2.close();
    assertThat(failed(c).code()).isEqualTo(ErrorCode.CANCELLED);
    assertThat(b.isDone()).isFalse();
    unlock(n0, F, "a", 0, 9);
    granted(b);
  }
}
