package org.dittofs.metadata.store.postgres.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import org.dittofs.metadata.store.postgres.PostgresServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The lock contract's scenarios (docs/lock-semantics.md) on a cluster of nodes in child JVMs over
 * one PostgreSQL: each owner's operations go to its own node (owner {@code k} to node {@code k mod
 * nodes}), and every answer must equal the single-node reference's ({@link ClusterHarness}); the
 * key answers are also asserted by value. Each scenario works on files of its own. Subclasses say
 * how many nodes.
 */
@ExtendWith(PostgresServer.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ClusterScenarios {
  static final String MAX = "18446744073709551615";

  private ClusterHarness h;

  abstract int nodes();

  @BeforeAll
  void startCluster() {
    h = ClusterHarness.start("scenarios_" + nodes(), nodes());
  }

  @AfterAll
  void stopCluster() {
    if (h != null) {
      h.close();
    }
  }

  /** Runs {@code command} for {@code owner}'s node ({@code P3} and {@code W3}: node 3 mod n). */
  private String as(String owner, String command) {
    return h.on(Integer.parseInt(owner.substring(1)) % h.size(), command);
  }

  /** Runs a read at the node after {@code owner}'s, so reads also cross nodes. */
  private String after(String owner, String command) {
    return h.on((Integer.parseInt(owner.substring(1)) + 1) % h.size(), command);
  }

  @Test
  void conflictsAcrossNodes() {
    assertThat(as("P0", "lock P0 cP0 conf posix exclusive 0-99")).startsWith("GRANTED");
    assertThat(as("P1", "lock P1 cP1 conf posix exclusive 50-59"))
        .isEqualTo("DENIED P0@cP0:EXCLUSIVE:POSIX:0-99");
    assertThat(as("P1", "test P1 cP1 conf posix shared 99-100"))
        .isEqualTo("CONFLICT P0@cP0:EXCLUSIVE:POSIX:0-99");
    assertThat(as("P1", "lock P1 cP1 conf posix shared 100-199")).startsWith("GRANTED");
    assertThat(as("P2", "lock P2 cP2 conf posix shared 150-160")).startsWith("GRANTED");
    assertThat(as("P2", "test P2 cP2 conf posix exclusive 0-" + MAX))
        .isEqualTo("CONFLICT P0@cP0:EXCLUSIVE:POSIX:0-99");
    as("P0", "unlock P0 conf posix 0-99");
    assertThat(as("P1", "lock P1 cP1 conf posix exclusive 50-59")).startsWith("GRANTED");
    after("P0", "locks conf");
  }

  @Test
  void twoProtocolsOnTheSameBytesConflict() {
    as("P0", "lock nlm:h:1:a cnlm proto posix exclusive 0-9");
    assertThat(h.on(1 % h.size(), "lock nfs4:c:o cnfs proto posix shared 5-5"))
        .isEqualTo("DENIED nlm:h:1:a@cnlm:EXCLUSIVE:POSIX:0-9");
  }

  @Test
  void posixSplitAndCoalesceAcrossNodes() {
    as("P0", "lock P0 cP0 split posix exclusive 0-99");
    as("P0", "unlock P0 split posix 40-59");
    assertThat(after("P0", "locks split"))
        .isEqualTo("LOCKS P0@cP0:EXCLUSIVE:POSIX:0-39 P0@cP0:EXCLUSIVE:POSIX:60-99");
    assertThat(as("P1", "lock P1 cP1 split posix exclusive 40-59")).startsWith("GRANTED");
    assertThat(as("P1", "lock P1 cP1 split posix exclusive 39-40"))
        .isEqualTo("DENIED P0@cP0:EXCLUSIVE:POSIX:0-39");
    // a shared lock in the middle of an exclusive one cuts it in three
    as("P0", "lock P0 cP0 split posix shared 70-79");
    assertThat(after("P1", "locks split"))
        .isEqualTo(
            "LOCKS P0@cP0:EXCLUSIVE:POSIX:0-39 P1@cP1:EXCLUSIVE:POSIX:40-59"
                + " P0@cP0:EXCLUSIVE:POSIX:60-69 P0@cP0:SHARED:POSIX:70-79"
                + " P0@cP0:EXCLUSIVE:POSIX:80-99");
    // the same owner's next grant, sent through another node, coalesces with what it holds
    h.on(1 % h.size(), "lock P0 cP0 split posix shared 80-89");
    assertThat(as("P2", "locks split"))
        .contains("P0@cP0:SHARED:POSIX:70-89", "P0@cP0:EXCLUSIVE:POSIX:90-99");
  }

  @Test
  void unlockingTheMiddleOfAToEofLockKeepsTheTail() {
    as("P0", "lock P0 cP0 eof posix exclusive 100-" + MAX);
    after("P0", "unlock P0 eof posix 200-299"); // the owner's release through another node
    assertThat(as("P1", "locks eof"))
        .isEqualTo("LOCKS P0@cP0:EXCLUSIVE:POSIX:100-199 P0@cP0:EXCLUSIVE:POSIX:300-" + MAX);
    assertThat(as("P1", "lock P1 cP1 eof posix shared " + MAX + "-" + MAX))
        .isEqualTo("DENIED P0@cP0:EXCLUSIVE:POSIX:300-" + MAX);
    assertThat(as("P1", "lock P1 cP1 eof posix shared 250-250")).startsWith("GRANTED");
  }

  @Test
  void upgradeWaitsForTheOtherNodesSharedLock() {
    as("P0", "lock P0 cP0 up posix shared 0-9");
    as("P1", "lock P1 cP1 up posix shared 0-9");
    assertThat(as("P0", "lock P0 cP0 up posix exclusive 0-9"))
        .isEqualTo("DENIED P1@cP1:SHARED:POSIX:0-9");
    assertThat(after("P0", "locks up"))
        .isEqualTo("LOCKS P0@cP0:SHARED:POSIX:0-9 P1@cP1:SHARED:POSIX:0-9");
    as("P1", "unlock P1 up posix 0-9");
    assertThat(as("P0", "lock P0 cP0 up posix exclusive 0-9"))
        .isEqualTo("GRANTED P0@cP0:EXCLUSIVE:POSIX:0-9");
    assertThat(as("P1", "locks up")).isEqualTo("LOCKS P0@cP0:EXCLUSIVE:POSIX:0-9");
    // a downgrade always goes through
    assertThat(as("P0", "lock P0 cP0 up posix shared 0-4")).startsWith("GRANTED");
    assertThat(as("P1", "lock P1 cP1 up posix shared 0-4")).startsWith("GRANTED");
  }

  @Test
  void windowsLocksStackAndReleaseExactly() {
    as("W0", "lock W0 cW0 win windows shared 0-9");
    as("W0", "lock W0 cW0 win windows shared 0-9");
    assertThat(as("W1", "lock W1 cW1 win windows exclusive 0-9"))
        .isEqualTo("DENIED W0@cW0:SHARED:WINDOWS:0-9");
    // exclusive over its own shared lock conflicts for a WINDOWS owner
    assertThat(as("W0", "lock W0 cW0 win windows exclusive 5-5"))
        .isEqualTo("DENIED W0@cW0:SHARED:WINDOWS:0-9");
    assertThat(as("W1", "lock W1 cW1 win windows shared 5-5")).startsWith("GRANTED");
    as("W0", "unlock W0 win windows 0-9");
    assertThat(after("W0", "locks win"))
        .isEqualTo("LOCKS W0@cW0:SHARED:WINDOWS:0-9 W1@cW1:SHARED:WINDOWS:5-5");
    as("W0", "unlock W0 win windows 0-9");
    assertThat(as("W0", "unlock W0 win windows 0-9")).isEqualTo("ERROR LOCK_NOT_FOUND");
    assertThat(as("W1", "unlock W1 win windows 5-6")).isEqualTo("ERROR LOCK_NOT_FOUND");
    as("W1", "unlock W1 win windows 5-5");
    assertThat(as("W1", "lock W1 cW1 win windows exclusive 0-9")).startsWith("GRANTED");
  }

  @Test
  void windowsMultiRangeIsAllOrNothingAcrossNodes() {
    as("W2", "lockall W2 cW2 multi windows shared 0-9 exclusive 20-29");
    assertThat(as("W3", "lockall W3 cW3 multi windows exclusive 30-39 exclusive 25-25"))
        .isEqualTo("DENIED W2@cW2:EXCLUSIVE:WINDOWS:20-29");
    assertThat(after("W3", "locks multi"))
        .isEqualTo("LOCKS W2@cW2:SHARED:WINDOWS:0-9 W2@cW2:EXCLUSIVE:WINDOWS:20-29");
    as("W2", "unlockall W2 multi windows 0-9 20-29");
    assertThat(as("W2", "unlockall W2 multi windows 0-9")).isEqualTo("ERROR LOCK_NOT_FOUND");
    assertThat(as("W3", "lockall W3 cW3 multi windows exclusive 30-39 exclusive 25-25"))
        .startsWith("GRANTED");
  }

  @Test
  void aZeroLengthLockRefusesTheCoalescedRecordThatWouldCrossIt() {
    as("W0", "lock W0 cW0 zero windows exclusive @10");
    assertThat(as("P1", "lock P1 cP1 zero posix exclusive 0-9")).startsWith("GRANTED");
    assertThat(as("P1", "lock P1 cP1 zero posix exclusive 10-19"))
        .isEqualTo("DENIED W0@cW0:EXCLUSIVE:WINDOWS:@10");
    assertThat(as("P1", "test P1 cP1 zero posix exclusive 10-19"))
        .isEqualTo("CONFLICT W0@cW0:EXCLUSIVE:WINDOWS:@10");
    as("W0", "unlock W0 zero windows @10");
    assertThat(as("P1", "lock P1 cP1 zero posix exclusive 10-19"))
        .isEqualTo("GRANTED P1@cP1:EXCLUSIVE:POSIX:0-19");
  }

  @Test
  void shareReservationsAcrossNodes() {
    assertThat(as("P0", "open P0 cP0 shares R W")).isEqualTo("OPEN #1");
    assertThat(as("P1", "open P1 cP1 shares W -")).isEqualTo("ERROR SHARE_DENIED");
    assertThat(as("P1", "open P1 cP1 shares R -")).startsWith("OPEN");
    assertThat(as("P2", "open P2 cP2 shares R RW")).isEqualTo("ERROR SHARE_DENIED");
    as("P0", "downgrade shares #1 R -");
    assertThat(after("P0", "opens shares")).isEqualTo("OPENS P0@cP0:R:- P1@cP1:R:-");
    assertThat(as("P2", "open P2 cP2 shares W -")).startsWith("OPEN");
    assertThat(as("P0", "downgrade shares #1 RW -")).isEqualTo("ERROR INVALID_ARGUMENT");
    as("P0", "close shares #1");
    assertThat(as("P0", "close shares #1")).isEqualTo("ERROR NOT_FOUND");
    assertThat(after("P1", "opens shares")).isEqualTo("OPENS P1@cP1:R:- P2@cP2:W:-");
  }

  @Test
  void ioChecksSeeLocksOfOtherNodes() {
    as("W0", "lock W0 cW0 io windows exclusive 0-9");
    assertThat(as("P1", "checkread P1 io 5-5 advisory")).isEqualTo("ERROR LOCK_CONFLICT");
    assertThat(as("W0", "checkwrite W0 io 5-5 advisory")).isEqualTo("OK");
    as("W1", "lock W1 cW1 io windows shared 20-29");
    assertThat(as("P2", "checkwrite W1 io 20-20 advisory")).isEqualTo("ERROR LOCK_CONFLICT");
    assertThat(as("P2", "checkread W1 io 20-20 advisory")).isEqualTo("OK");
    as("P0", "lock P0 cP0 io posix exclusive 40-49");
    assertThat(as("P1", "checkread P1 io 45-45 advisory")).isEqualTo("OK");
    assertThat(as("P1", "checkread P1 io 45-45 mandatory")).isEqualTo("ERROR LOCK_CONFLICT");
    assertThat(as("P1", "checkread P0 io 45-45 mandatory")).isEqualTo("OK");
    as("P0", "unlock P0 io posix 40-49");
    assertThat(as("P1", "checkwrite P1 io 45-45 mandatory")).isEqualTo("OK");
  }

  @Test
  void theLastByteOfTheUnsignedRangeSplitsExactly() {
    as("P0", "lock P0 cP0 edge posix shared 0-" + MAX);
    as("P0", "unlock P0 edge posix " + MAX + "-" + MAX);
    assertThat(after("P0", "locks edge"))
        .isEqualTo("LOCKS P0@cP0:SHARED:POSIX:0-18446744073709551614");
    assertThat(as("P1", "lock P1 cP1 edge posix exclusive " + MAX + "-" + MAX))
        .startsWith("GRANTED");
    assertThat(as("P1", "lock P1 cP1 edge posix exclusive 18446744073709551614-" + MAX))
        .isEqualTo("DENIED P0@cP0:SHARED:POSIX:0-18446744073709551614");
  }

  @Test
  void anOwnerHasOneFlavourOnAFileAcrossNodes() {
    as("P0", "lock X0 cX0 flav posix shared 0-9");
    assertThat(h.on(1 % h.size(), "lock X0 cX0 flav windows shared 20-29"))
        .isEqualTo("ERROR INVALID_ARGUMENT");
    assertThat(h.on(1 % h.size(), "unlock X0 flav windows 0-9"))
        .isEqualTo("ERROR INVALID_ARGUMENT");
  }

  @Test
  void aWaiterAtOneNodeIsGrantedWhenAnotherNodeReleases() {
    as("P0", "lock P0 cP0 wait posix exclusive 0-9");
    assertThat(as("P1", "block b1 P1 cP1 wait posix exclusive 5-14 60000")).isEqualTo("PENDING");
    assertThat(as("P2", "test P2 cP2 wait posix shared 12-12"))
        .isEqualTo("CONFLICT P1@cP1:EXCLUSIVE:POSIX:5-14"); // FIFO: the queued request counts
    as("P0", "unlock P0 wait posix 0-9");
    assertThat(as("P1", "await b1 30000")).isEqualTo("GRANTED P1@cP1:EXCLUSIVE:POSIX:5-14");
    assertThat(after("P1", "locks wait")).isEqualTo("LOCKS P1@cP1:EXCLUSIVE:POSIX:5-14");
  }

  @Test
  void waitersOfSeveralNodesAreServedInTheirOrder() {
    as("P0", "lock P0 cP0 fifo posix exclusive 0-9");
    assertThat(as("P1", "block f1 P1 cP1 fifo posix exclusive 0-9 60000")).isEqualTo("PENDING");
    assertThat(as("P2", "block f2 P2 cP2 fifo posix exclusive 0-9 60000")).isEqualTo("PENDING");
    as("P0", "unlock P0 fifo posix 0-9");
    assertThat(as("P1", "await f1 30000")).isEqualTo("GRANTED P1@cP1:EXCLUSIVE:POSIX:0-9");
    assertThat(as("P2", "await f2 100")).isEqualTo("PENDING");
    as("P1", "unlock P1 fifo posix 0-9");
    assertThat(as("P2", "await f2 30000")).isEqualTo("GRANTED P2@cP2:EXCLUSIVE:POSIX:0-9");
  }

  @Test
  void aDeadlockAcrossNodesIsFound() {
    as("P0", "lock P0 cP0 dl1 posix exclusive 0-9");
    as("P1", "lock P1 cP1 dl2 posix exclusive 0-9");
    assertThat(as("P0", "block d0 P0 cP0 dl2 posix exclusive 0-0 60000")).isEqualTo("PENDING");
    assertThat(as("P1", "block d1 P1 cP1 dl1 posix exclusive 0-0 60000"))
        .isEqualTo("ERROR DEADLOCK");
    as("P1", "unlock P1 dl2 posix 0-9");
    assertThat(as("P0", "await d0 30000")).isEqualTo("GRANTED P0@cP0:EXCLUSIVE:POSIX:0-0");
  }

  @Test
  void aCancelledOrTimedOutWaiterLeavesTheQueue() {
    as("P0", "lock P0 cP0 tmo posix exclusive 0-9");
    assertThat(as("P1", "block t1 P1 cP1 tmo posix exclusive 0-0 300")).isEqualTo("PENDING");
    assertThat(as("P1", "await t1 30000")).isEqualTo("ERROR TIMED_OUT");
    assertThat(as("P2", "block t2 P2 cP2 tmo posix exclusive 0-0 60000")).isEqualTo("PENDING");
    assertThat(as("P2", "cancel t2")).isEqualTo("CANCELLED true");
    assertThat(as("P2", "await t2 30000")).isEqualTo("ERROR CANCELLED");
    assertThat(as("P3", "lock P3 cP3 tmo posix shared 20-29")).startsWith("GRANTED");
    as("P0", "unlock P0 tmo posix 0-9");
    assertThat(after("P0", "locks tmo")).isEqualTo("LOCKS P3@cP3:SHARED:POSIX:20-29");
  }

  @Test
  void aClientsReleaseFindsItsLocksMadeAtAnotherNode() {
    // the client registers at node 0, but its locks are made through the last node; unregistering
    // at node 0 releases them: the files come from the database, not from node 0's memory
    int last = h.size() - 1;
    as("P0", "register cGone 0");
    h.on(last, "lock G0 cGone gone posix exclusive 0-9");
    h.on(last, "open G0 cGone gone R W");
    as("P0", "unregister cGone");
    assertThat(h.on(last, "locks gone")).isEqualTo("LOCKS");
    assertThat(h.on(last, "opens gone")).isEqualTo("OPENS");
    assertThat(as("P1", "lock P1 cP1 gone posix exclusive 0-9")).startsWith("GRANTED");
  }
}
