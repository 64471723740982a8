package org.dittofs.metadata.lock;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.dittofs.metadata.errors.ErrorCode;
import org.dittofs.metadata.errors.StoreError;
import org.dittofs.metadata.lock.host.LockConfig;
import org.dittofs.metadata.lock.host.LockManager;
import org.dittofs.metadata.lock.host.LockManagers;
import org.dittofs.metadata.lock.internal.LockTableInvariants;
import org.dittofs.metadata.lock.spi.PersistedLock;
import org.dittofs.metadata.lock.testing.FaultyLockStore;
import org.dittofs.metadata.lock.testing.ManualScheduler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Random sequences (fixed seeds) of lock, unlock, open, downgrade and close against a store that
 * fails every n-th write and goes down now and then; then a crash (the manager is abandoned without
 * close) and a new manager on the store's durable content.
 *
 * <p>The model: every operation writes at most one entry to the store, and entries land in order,
 * so the store always holds the memory state after some prefix of the operations, and at least the
 * prefix up to the last moment nothing was pending. The restored state must be one of those
 * snapshots: every restored record is either held at the crash or the record of a release that had
 * not landed, and every record held at the crash that was durable is restored. Then grace is
 * entered, and when it runs out the records nobody reclaimed are gone from memory and store.
 */
@ExtendWith(QuietLockLog.class)
class CrashRestartTest {
  private static final Duration RETRY = LockConfig.DEFAULTS.storeRetryInterval();
  private static final Duration GRACE = LockConfig.DEFAULTS.gracePeriod();
  private static final int FILES = 3;

  /** What a run left behind at its crash. */
  private record Crash(
      FaultyLockStore store,
      LockManager crashed,
      Map<String, PersistedLock> memory,
      List<Map<String, PersistedLock>> possible,
      int pendingAtCrash) {}

  /** The manager started after a crash, on its own copy of the durable content. */
  private record Restarted(LockManager m, FaultyLockStore store) {}

  private static List<Requests> files() {
    List<Requests> out = new ArrayList<>();
    for (int i = 0; i < FILES; i++) {
      out.add(Requests.on("crash-file-" + i));
    }
    return out;
  }

  /** Every lock and open in memory, as the records a store would hold, by id. */
  private static Map<String, PersistedLock> memory(LockManager m) {
    Map<String, PersistedLock> out = new HashMap<>();
    for (Requests f : files()) {
      m.locks(f.file()).forEach(l -> out.put(l.id().toString(), PersistedLock.of(l)));
      m.opens(f.file()).forEach(o -> out.put(o.id().toString(), PersistedLock.of(o)));
    }
    return out;
  }

  private static Set<ShareAccess> randomModes(SplittableRandom rnd) {
    Set<ShareAccess> s = EnumSet.noneOf(ShareAccess.class);
    for (ShareAccess a : ShareAccess.values()) {
      if (rnd.nextInt(3) == 0) {
        s.add(a);
      }
    }
    return s;
  }

  private static Set<ShareAccess> subset(Set<ShareAccess> of, SplittableRandom rnd) {
    Set<ShareAccess> s = EnumSet.noneOf(ShareAccess.class);
    for (ShareAccess a : of) {
      if (rnd.nextBoolean()) {
        s.add(a);
      }
    }
    return s;
  }

  /**
   * Runs {@code ops} random operations, then crashes.
   *
   * @param failEvery every n-th store write fails (0: never)
   * @param outages whether the store also goes down now and then
   * @param downAtCrash whether the store is down (with releases queued) when the crash comes
   */
  private static Crash run(
      long seed, int ops, int failEvery, boolean outages, boolean downAtCrash) {
    SplittableRandom rnd = new SplittableRandom(seed);
    FaultyLockStore store = new FaultyLockStore();
    ManualScheduler sched = new ManualScheduler();
    LockManager m = LockManagers.builder().scheduler(sched).store(store).build();
    store.failEveryNthWrite(failEvery);
    List<Requests> files = files();
    String[] posixOwners = {"nlm:h1:1:p0", "nlm:h1:2:p1", "nfs4:c2:p2", "nfs4:c3:p3"};
    String windowsOwner = "smb:s1:w";

    List<Map<String, PersistedLock>> snapshots = new ArrayList<>();
    Map<String, PersistedLock> start = memory(m);
    snapshots.add(start);
    int lastSynced = 0;
    boolean down = false;
    int refusedGrants = 0;
    for (int i = 1; i <= ops; i++) {
      Requests on = files.get(rnd.nextInt(FILES));
      Map<String, PersistedLock> before = snapshots.get(snapshots.size() - 1);
      boolean grantLike = false;
      int kind = rnd.nextInt(100);
      try {
        if (kind < 35) {
          grantLike = true;
          boolean windows = rnd.nextInt(5) == 0;
          Requests.Owner o =
              windows ? on.windows(windowsOwner) : on.posix(posixOwners[rnd.nextInt(4)]);
          long off = rnd.nextLong(200);
          long len = windows || rnd.nextInt(8) != 0 ? 1 + rnd.nextLong(40) : 0;
          LockType type = rnd.nextBoolean() ? LockType.SHARED : LockType.EXCLUSIVE;
          m.lock(o.request(type, Requests.range(off, len)));
        } else if (kind < 60) {
          if (rnd.nextInt(5) == 0) {
            List<Lock> ws =
                m.locks(on.file()).stream()
                    .filter(l -> l.flavour() == LockFlavour.WINDOWS)
                    .toList();
            if (!ws.isEmpty()) {
              m.unlock(on.windows(windowsOwner).unlock(ws.get(rnd.nextInt(ws.size())).range()));
            }
          } else {
            Requests.Owner o = on.posix(posixOwners[rnd.nextInt(4)]);
            long len = rnd.nextInt(6) == 0 ? 0 : 1 + rnd.nextLong(60);
            m.unlock(o.unlock(rnd.nextLong(220), len));
          }
        } else if (kind < 75) {
          grantLike = true;
          Requests.Owner o = on.posix(posixOwners[rnd.nextInt(4)]);
          m.open(o.open(randomModes(rnd), randomModes(rnd)));
        } else if (kind < 85) {
          List<ShareReservation> opens = m.opens(on.file());
          if (!opens.isEmpty()) {
            m.close(on.file(), opens.get(rnd.nextInt(opens.size())).id());
          }
        } else if (kind < 90) {
          List<ShareReservation> opens = m.opens(on.file());
          if (!opens.isEmpty()) {
            ShareReservation o = opens.get(rnd.nextInt(opens.size()));
            m.downgrade(on.file(), o.id(), subset(o.access(), rnd), subset(o.deny(), rnd));
          }
        } else if (kind < 95) {
          sched.advance(RETRY);
        } else if (outages) {
          down = !down;
          if (down) {
            store.down();
          } else {
            store.up();
          }
        }
      } catch (StoreError e) {
        assertThat(grantLike).as("only grants and opens may be refused: %s", e).isTrue();
        assertThat(e.code()).isIn(ErrorCode.STORE_UNAVAILABLE, ErrorCode.SHARE_DENIED);
        if (e.code() == ErrorCode.STORE_UNAVAILABLE) {
          refusedGrants++;
        }
        assertThat(memory(m)).as("a refused request changed memory").isEqualTo(before);
      }
      snapshots.add(memory(m));
      if (m.pendingStoreWrites() == 0) {
        lastSynced = i;
      }
    }
    if (downAtCrash) {
      // a few releases queued behind a dead store at the moment of the crash
      store.down();
      for (Requests on : files) {
        for (Lock l : m.locks(on.file())) {
          if (l.flavour() == LockFlavour.POSIX && rnd.nextBoolean()) {
            m.unlock(new UnlockRequest(on.file(), l.owner(), l.flavour(), l.range()));
            snapshots.add(memory(m));
          }
        }
      }
    }
    if (failEvery > 0 || outages) {
      assertThat(refusedGrants).as("the faults were exercised").isPositive();
    }
    LockTableInvariants.check(m);
    return new Crash(
        store,
        m,
        memory(m),
        List.copyOf(snapshots.subList(lastSynced, snapshots.size())),
        m.pendingStoreWrites());
  }

  /** Starts a new manager on the crashed store's durable content and checks the restored state. */
  private static Restarted restartAndCheck(Crash crash, ManualScheduler sched) {
    FaultyLockStore durable = crash.store().reopen();
    Map<String, PersistedLock> stored = durable.records();

    // every restored record is held at the crash or belongs to a release that had not landed
    Set<String> allowed = new HashSet<>(crash.memory().keySet());
    crash.possible().forEach(s -> allowed.addAll(s.keySet()));
    assertThat(stored.keySet()).isSubsetOf(allowed);
    // every record held at the crash that was durable at the last quiet moment is restored
    Map<String, PersistedLock> durableHeld = new HashMap<>(crash.possible().get(0));
    durableHeld.keySet().retainAll(crash.memory().keySet());
    assertThat(stored).containsAllEntriesOf(durableHeld);
    // and precisely: the store is the memory after some prefix of the acknowledged operations
    assertThat(crash.possible()).as("the store is a state memory went through").contains(stored);
    if (crash.pendingAtCrash() == 0) {
      assertThat(stored).isEqualTo(crash.memory());
    }

    LockManager m = LockManagers.builder().scheduler(sched).store(durable).build();
    assertThat(memory(m)).isEqualTo(stored);
    assertThat(m.epoch()).isEqualTo(crash.crashed().epoch() + 1);
    assertThat(m.graceStatus().active()).isTrue();
    assertThat(m.graceStatus().restoredRecords()).isEqualTo(stored.size());
    LockTableInvariants.check(m);
    LockTableInvariants.checkStoreMatches(m, durable);
    return new Restarted(m, durable);
  }

  /** A shape of a record that survives a reclaim (the id changes). */
  private static String shape(PersistedLock p) {
    return p.file()
        + " "
        + p.owner()
        + " "
        + p.kind()
        + " "
        + p.type()
        + " "
        + p.range()
        + " "
        + p.access()
        + " "
        + p.deny();
  }

  private static List<String> shapes(Map<String, PersistedLock> records) {
    return records.values().stream().map(CrashRestartTest::shape).sorted().toList();
  }

  /** Reclaims a random part of the restored records, lets grace run out, checks the rest went. */
  private static void reclaimSomeAndLetGraceRunOut(
      Restarted restarted, long seed, ManualScheduler s) {
    LockManager m = restarted.m();
    SplittableRandom rnd = new SplittableRandom(seed * 31 + 7);
    Map<String, PersistedLock> restored = memory(m);
    Map<String, PersistedLock> kept = new HashMap<>();
    // an open reclaim takes any restored open of the owner holding at least its modes: the wider
    // ones reclaim first, so that a narrower one never takes the open a wider one needs
    List<PersistedLock> order = new ArrayList<>(restored.values());
    order.sort(
        java.util.Comparator.comparingInt(
            (PersistedLock p) -> -(p.access().size() + p.deny().size())));
    for (PersistedLock p : order) {
      if (rnd.nextInt(3) != 0 || !m.graceStatus().active()) {
        continue;
      }
      LockOwner owner = LockOwner.of(p.owner());
      LockClient client = new LockClient(p.clientId(), p.adapter());
      if (p.kind() == PersistedLock.Kind.LOCK) {
        LockResult r =
            m.reclaim(
                new LockRequest(
                    p.file(), p.share(), owner, client, p.flavour(), p.type(), p.range()));
        assertThat(r.granted()).isTrue();
      } else {
        m.reclaimOpen(new OpenRequest(p.file(), p.share(), owner, client, p.access(), p.deny()));
      }
      kept.put(p.id(), p);
    }
    s.advance(GRACE);
    assertThat(m.graceStatus().active()).isFalse();
    Map<String, PersistedLock> after = memory(m);
    assertThat(shapes(after)).isEqualTo(shapes(kept));
    Set<String> gone = new HashSet<>(restored.keySet());
    gone.removeAll(kept.keySet());
    assertThat(after.keySet()).doesNotContainAnyElementsOf(restored.keySet());
    assertThat(restarted.store().records().keySet()).doesNotContainAnyElementsOf(gone);
    assertThat(m.lockCount())
        .isEqualTo(kept.values().stream().filter(p -> p.kind() == PersistedLock.Kind.LOCK).count());
    LockTableInvariants.check(m);
    LockTableInvariants.checkStoreMatches(m, restarted.store());
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10})
  void aCrashWithEveryNthWriteFailingRestoresTheAcknowledgedState(long seed) {
    Crash crash = run(seed, 400, 3 + (int) (seed % 4), false, false);
    ManualScheduler sched = new ManualScheduler();
    reclaimSomeAndLetGraceRunOut(restartAndCheck(crash, sched), seed, sched);
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {11, 12, 13, 14, 15, 16, 17, 18})
  void aCrashWithOutagesAndFailingWritesRestoresAStateMemoryWentThrough(long seed) {
    Crash crash = run(seed, 400, 5, true, false);
    ManualScheduler sched = new ManualScheduler();
    reclaimSomeAndLetGraceRunOut(restartAndCheck(crash, sched), seed, sched);
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {21, 22, 23, 24, 25})
  void aCrashWhileTheStoreIsDownKeepsStaleRecordsOnlyUntilGraceEnds(long seed) {
    Crash crash = run(seed, 300, 0, false, true);
    assertThat(crash.pendingAtCrash()).as("releases were queued at the crash").isPositive();
    ManualScheduler sched = new ManualScheduler();
    Restarted restarted = restartAndCheck(crash, sched);
    LockManager m = restarted.m();
    // the stale records (released before the crash) are restored but nobody reclaims them
    Map<String, PersistedLock> stale = new HashMap<>(memory(m));
    stale.keySet().removeAll(crash.memory().keySet());
    assertThat(stale).isNotEmpty();
    sched.advance(GRACE);
    assertThat(memory(m)).isEmpty();
    assertThat(m.lockCount()).isZero();
    assertThat(restarted.store().records()).isEmpty();
    LockTableInvariants.checkStoreMatches(m, restarted.store());
  }

  @Test
  void aCrashAfterEverythingLandedRestoresExactlyTheMemoryState() {
    Crash crash = run(99, 500, 0, false, false);
    assertThat(crash.pendingAtCrash()).isZero();
    ManualScheduler sched = new ManualScheduler();
    Restarted restarted = restartAndCheck(crash, sched);
    LockManager m = restarted.m();
    assertThat(memory(m)).isEqualTo(crash.memory()).isNotEmpty();
    sched.advance(GRACE);
    assertThat(memory(m)).isEmpty();
    assertThat(restarted.store().records()).isEmpty();
  }

  @Test
  void aSecondCrashDuringGraceRestoresReclaimedAndUnreclaimedRecordsAgain() {
    Crash crash = run(42, 300, 4, false, false);
    FaultyLockStore durable = crash.store().reopen();
    ManualScheduler sched = new ManualScheduler();
    LockManager second = LockManagers.builder().scheduler(sched).store(durable).build();
    Map<String, PersistedLock> restored = memory(second);
    assertThat(restored).isNotEmpty();
    // reclaim half of the locks, then crash again in the middle of grace
    int n = 0;
    for (PersistedLock p : restored.values()) {
      if (p.kind() == PersistedLock.Kind.LOCK && n++ % 2 == 0) {
        second.reclaim(
            new LockRequest(
                p.file(),
                p.share(),
                LockOwner.of(p.owner()),
                new LockClient(p.clientId(), p.adapter()),
                p.flavour(),
                p.type(),
                p.range()));
      }
    }
    assertThat(second.graceStatus().active()).isTrue();
    sched.advance(GRACE.dividedBy(2));
    LockTableInvariants.checkStoreMatches(second, durable);
    Map<String, PersistedLock> atSecondCrash = memory(second);

    FaultyLockStore again = durable.reopen();
    ManualScheduler sched3 = new ManualScheduler();
    LockManager third = LockManagers.builder().scheduler(sched3).store(again).build();
    assertThat(memory(third)).isEqualTo(atSecondCrash);
    assertThat(shapes(memory(third))).isEqualTo(shapes(restored));
    assertThat(third.epoch()).isEqualTo(3);
    assertThat(third.graceStatus().active()).isTrue();
    assertThat(third.graceStatus().remaining()).isEqualTo(GRACE);
    sched3.advance(GRACE);
    assertThat(memory(third)).isEmpty();
    LockTableInvariants.checkStoreMatches(third, again);
  }
}
