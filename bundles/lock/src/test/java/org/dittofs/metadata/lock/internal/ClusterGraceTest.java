package org.dittofs.metadata.lock.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import org.dittofs.metadata.errors.ErrorCode;
import org.dittofs.metadata.errors.StoreError;
import org.dittofs.metadata.lock.ByteRange;
import org.dittofs.metadata.lock.FileHandle;
import org.dittofs.metadata.lock.GraceStatus;
import org.dittofs.metadata.lock.Lock;
import org.dittofs.metadata.lock.LockClient;
import org.dittofs.metadata.lock.LockFlavour;
import org.dittofs.metadata.lock.LockOwner;
import org.dittofs.metadata.lock.LockRequest;
import org.dittofs.metadata.lock.LockResult;
import org.dittofs.metadata.lock.LockType;
import org.dittofs.metadata.lock.OpenRequest;
import org.dittofs.metadata.lock.ShareAccess;
import org.dittofs.metadata.lock.UnlockRequest;
import org.dittofs.metadata.lock.host.LockConfig;
import org.dittofs.metadata.lock.host.LockEvent;
import org.dittofs.metadata.lock.host.LockManager;
import org.dittofs.metadata.lock.host.LockManagers;
import org.dittofs.metadata.lock.spi.LockCluster;
import org.dittofs.metadata.lock.testing.ClusterRequests;
import org.dittofs.metadata.lock.testing.InMemoryLockCluster;
import org.dittofs.metadata.lock.testing.ManualScheduler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The grace period of a cluster (docs/cluster.md, SPEC 11) on lock managers sharing an {@link
 * InMemoryLockCluster} and one manual clock: entered once when the cluster starts cold with records
 * of its last run, at every node (also one that joins later, for what is left); every node accepts
 * reclaims of every restored record and refuses new locks; it ends once for all nodes, early or by
 * time, and the unreclaimed records are released; a node that restarts while others run enters
 * nothing.
 */
class ClusterGraceTest {
  private static final FileHandle F = FileHandle.of("f");
  private static final FileHandle G = FileHandle.of("g");
  private static final Duration GRACE = Duration.ofSeconds(90);
  private static final LockClient C0 = new LockClient("c0", "t");
  private static final LockClient C1 = new LockClient("c1", "t");

  private final ManualScheduler clock = new ManualScheduler();
  private final InMemoryLockCluster cluster = new InMemoryLockCluster(clock::nanoTime);
  private final List<LockManager> running = new ArrayList<>();
  private final List<LockEvent> events = new ArrayList<>();

  /** The two nodes of a {@link #restartAfterLastRun()}. */
  private LockManager n0;

  private LockManager n1;

  @AfterEach
  void close() {
    running.forEach(LockManager::close);
  }

  private LockManager node(String id) {
    return node(cluster.node(id));
  }

  private LockManager node(LockCluster view) {
    LockManager m =
        LockManagers.builder()
            .scheduler(clock)
            .config(LockConfig.DEFAULTS.toBuilder().gracePeriod(GRACE).build())
            .cluster(view)
            .build();
    m.addListener(
        e -> {
          synchronized (events) {
            events.add(e);
          }
        });
    running.add(m);
    return m;
  }

  /** Stops every node: the cluster's last run ends, its records stay. */
  private void stopAll() {
    running.forEach(LockManager::close);
    running.clear();
  }

  private static OpenRequest openOnG() {
    return ClusterRequests.open(
        G, "o0", C0, EnumSet.of(ShareAccess.READ), EnumSet.noneOf(ShareAccess.class));
  }

  private static LockRequest x(FileHandle f, String owner, LockClient c, long first, long last) {
    return ClusterRequests.posix(f, owner, c, LockType.EXCLUSIVE, first, last);
  }

  private static Lock grant(LockManager n, LockRequest r) {
    LockResult res = n.lock(r);
    assertThat(res).isInstanceOf(LockResult.Granted.class);
    return ((LockResult.Granted) res).lock();
  }

  private static ErrorCode refusal(Runnable r) {
    try {
      r.run();
    } catch (StoreError e) {
      return e.code();
    }
    throw new AssertionError("not refused");
  }

  /** A last run that left a lock of c0 on F, of c1 on G and an open of c0 on G. */
  private void lastRun() {
    LockManager a = node("a");
    LockManager b = node("b");
    grant(a, x(F, "o0", C0, 0, 99));
    grant(b, x(G, "o1", C1, 0, 9));
    a.open(openOnG());
    stopAll();
  }

  /** The {@link #lastRun()}, then a cold start of nodes {@link #n0} and {@link #n1}. */
  private void restartAfterLastRun() {
    lastRun();
    n0 = node("n0");
    n1 = node("n1");
  }

  @Test
  void aColdStartWithRecordsEntersGraceAtEveryNodeAndAnyNodeReclaims() {
    restartAfterLastRun();
    for (LockManager n : List.of(n0, n1)) {
      GraceStatus g = n.graceStatus();
      assertThat(g.active()).isTrue();
      assertThat(g.expectedClients()).containsExactlyInAnyOrder(C0, C1);
      assertThat(g.restoredRecords()).isEqualTo(3);
      assertThat(refusal(() -> n.lock(x(FileHandle.of("h"), "new", C0, 0, 0))))
          .isEqualTo(ErrorCode.GRACE_PERIOD);
    }
    // the lock made at node a is reclaimed at n1, the open at n0
    assertThat(n1.reclaim(x(F, "o0", C0, 0, 99))).isInstanceOf(LockResult.Granted.class);
    n0.reclaimOpen(openOnG());
    assertThat(n0.graceStatus().reclaimedRecords()).isEqualTo(2);
    assertThat(n0.graceStatus().active()).isTrue(); // c1's lock is still restored
  }

  @Test
  void everyExpectedClientDoneAtDifferentNodesEndsGraceForAllAndReleasesTheRest() {
    restartAfterLastRun();
    n1.reclaim(x(F, "o0", C0, 0, 99));
    n0.reclaimComplete(C0);
    assertThat(n1.graceStatus().active()).isTrue();
    n1.reclaimComplete(C1); // c1 reclaims nothing: its lock on G goes
    clock.advance(Duration.ZERO); // n0 hears of it
    for (LockManager n : List.of(n0, n1)) {
      assertThat(n.graceStatus().active()).isFalse();
    }
    assertThat(n0.locks(G)).isEmpty();
    assertThat(n0.opens(G)).isEmpty();
    assertThat(n0.locks(F)).extracting(Lock::owner).containsExactly(LockOwner.of("o0"));
    // new locks everywhere: on G (freed) at n0, on a new file at n1
    grant(n0, x(G, "new", C0, 0, 9));
    grant(n1, x(FileHandle.of("h"), "new", C1, 0, 9));
    assertThat(eventsOf(LockEvent.GraceEnded.class)).hasSize(2);
  }

  @Test
  void theLastRestoredRecordReclaimedEndsGraceEarly() {
    restartAfterLastRun();
    n0.reclaim(x(F, "o0", C0, 0, 99));
    n1.reclaim(x(G, "o1", C1, 0, 9));
    assertThat(n1.graceStatus().active()).isTrue(); // the open is left
    n1.reclaimOpen(openOnG());
    clock.advance(Duration.ZERO);
    assertThat(n0.graceStatus().active()).isFalse();
    assertThat(n1.graceStatus().active()).isFalse();
    assertThat(n0.locks(F)).hasSize(1);
    assertThat(n0.locks(G)).hasSize(1);
    assertThat(n0.opens(G)).hasSize(1);
  }

  @Test
  void graceEndsByTimeAtEveryNodeAndANodeJoiningLateGetsWhatIsLeft() {
    lastRun();
    LockManager n0 = node("n0");
    clock.advance(Duration.ofSeconds(60));
    LockManager n1 = node("n1");
    assertThat(n1.graceStatus().active()).isTrue();
    assertThat(n1.graceStatus().remaining()).isEqualTo(Duration.ofSeconds(30));
    n1.reclaim(x(F, "o0", C0, 0, 99));
    clock.advance(Duration.ofSeconds(30));
    assertThat(n0.graceStatus().active()).isFalse();
    assertThat(n1.graceStatus().active()).isFalse();
    assertThat(n0.locks(G)).isEmpty();
    assertThat(n1.locks(F)).hasSize(1);
    grant(n1, x(G, "new", C1, 0, 9));
  }

  @Test
  void anOperatorEndsGraceAtOneNodeForAll() {
    restartAfterLastRun();
    n0.endGrace();
    clock.advance(Duration.ZERO);
    assertThat(n1.graceStatus().active()).isFalse();
    grant(n1, x(F, "new", C1, 0, 9));
    assertThat(n1.lockCount()).isEqualTo(1);
  }

  @Test
  void aPieceOfARestoredLockStaysRestoredAndGoesAtTheEnd() {
    restartAfterLastRun();
    // c0's owner gives up the middle of its restored lock at n1 (an unlock is no new lock)
    n1.unlock(new UnlockRequest(F, LockOwner.of("o0"), LockFlavour.POSIX, ByteRange.of(40, 59)));
    assertThat(n0.reclaim(x(F, "o0", C0, 0, 39))).isInstanceOf(LockResult.Granted.class);
    n0.endGrace();
    clock.advance(Duration.ZERO);
    // the reclaimed piece stays, the other piece (never reclaimed) went with grace
    assertThat(n1.locks(F)).extracting(Lock::range).containsExactly(ByteRange.of(0, 39));
  }

  @Test
  void aNodeRestartingWhileOthersRunEntersNoGrace() {
    LockManager n0 = node("n0");
    LockCluster v1 = cluster.node("n1");
    LockManager n1 = node(v1);
    grant(n1, x(F, "o1", C1, 0, 9));
    n1.close();
    running.remove(n1);
    LockManager again = node("n1");
    assertThat(again.graceStatus().active()).isFalse();
    assertThat(n0.graceStatus().active()).isFalse();
    grant(again, x(G, "o2", C0, 0, 9)); // no grace: new locks at once
    assertThat(again.locks(F)).hasSize(1); // nothing was lost
  }

  @Test
  void aCleanStopWithNothingLeftStartsWithoutGrace() {
    LockManager a = node("a");
    grant(a, x(F, "o0", C0, 0, 9));
    a.unlock(new UnlockRequest(F, LockOwner.of("o0"), LockFlavour.POSIX, ByteRange.of(0, 9)));
    stopAll();
    assertThat(node("n0").graceStatus().active()).isFalse();
  }

  @Test
  void restoredRecordsLeftBehindByANodeThatEndedGraceAreReleasedByTheNextStart() {
    lastRun();
    LockManager n0 = node("n0");
    // grace is ended in the cluster by a node that dies before it releases anything
    assertThat(cluster.node("ghost").endGrace(LockCluster.GraceEnd.OPERATOR)).isNotEmpty();
    LockManager n1 = node("n1");
    assertThat(n1.locks(F)).isEmpty();
    assertThat(n1.locks(G)).isEmpty();
    assertThat(n0.opens(G)).isEmpty();
  }

  private <T extends LockEvent> List<T> eventsOf(Class<T> type) {
    synchronized (events) {
      return events.stream().filter(type::isInstance).map(type::cast).toList();
    }
  }
}
