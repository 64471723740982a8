package org.dittofs.metadata.lock.fuzz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.generators.SourceDSL.arbitrary;
import static org.quicktheories.generators.SourceDSL.integers;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.dittofs.metadata.errors.ErrorCode;
import org.dittofs.metadata.lock.ByteRange;
import org.dittofs.metadata.lock.FileHandle;
import org.dittofs.metadata.lock.LockClient;
import org.dittofs.metadata.lock.LockFlavour;
import org.dittofs.metadata.lock.LockId;
import org.dittofs.metadata.lock.LockOwner;
import org.dittofs.metadata.lock.LockRequest;
import org.dittofs.metadata.lock.LockType;
import org.dittofs.metadata.lock.LockingMode;
import org.dittofs.metadata.lock.OpenRequest;
import org.dittofs.metadata.lock.PendingLock;
import org.dittofs.metadata.lock.QuietLockLog;
import org.dittofs.metadata.lock.ShareAccess;
import org.dittofs.metadata.lock.UnlockRequest;
import org.dittofs.metadata.lock.host.ClientInfo;
import org.dittofs.metadata.lock.host.LockConfig;
import org.dittofs.metadata.lock.host.LockManager;
import org.dittofs.metadata.lock.host.LockManagers;
import org.dittofs.metadata.lock.internal.LockTableInvariants;
import org.dittofs.metadata.lock.testing.FaultyLockStore;
import org.dittofs.metadata.lock.testing.Fuzzing;
import org.dittofs.metadata.lock.testing.ManualScheduler;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

/**
 * Property-based fuzzing (QuickTheories) of requests to a running manager (issue 10, item 5):
 * random, malformed and extreme calls of every request method (unsigned 64-bit edges, wrapping and
 * zero-length ranges, nulls, empty, huge and non-ASCII owner ids, flavour mismatches, unknown and
 * forged ids, empty and mixed multi-range requests, bad timeouts and ttls) on a manager holding
 * locks of both flavours, opens and a waiter, with small limits. Every call either succeeds or is
 * refused with a {@code StoreError} whose code is one the method documents for such input; a
 * refusal changes nothing (locks and opens of every file, lock count, the clients holding state,
 * grace, the store's records and pending writes, the waiter); no other exception escapes and no
 * call takes longer than ten seconds. After a success the table's invariants hold and the store
 * equals memory. Inputs: {@link Fuzzing}.
 */
class ManagerFuzzTest {
  private static final int EXAMPLES = 4_000;
  private static final FileHandle[] FILES = {
    FileHandle.of("a"), FileHandle.of(new byte[] {0}), FileHandle.of(new byte[1024])
  };
  private static final ExecutorService CALLER = Executors.newSingleThreadExecutor();

  private final FaultyLockStore store = new FaultyLockStore();
  private final LockManager m =
      LockManagers.builder()
          .scheduler(new ManualScheduler())
          .store(store)
          .config(
              LockConfig.builder()
                  .maxLocksPerFile(6)
                  .maxLocksPerClient(8)
                  .maxLocksTotal(12)
                  .maxWaitersPerFile(2)
                  .maxOwnerIdBytes(64)
                  .maxConnectionsPerAdapter(3)
                  .build())
          .build();
  private final List<LockId> known = new ArrayList<>();
  private final Map<String, Integer> outcomes = new TreeMap<>();
  private PendingLock waiter;

  @BeforeAll
  static void quietLog() {
    QuietLockLog.quiet();
  }

  @AfterAll
  static void stop() {
    QuietLockLog.restore();
    CALLER.shutdownNow();
    System.out.println("manager fuzzing: " + Fuzz.INPUTS.get() + " inputs in total so far");
  }

  @AfterEach
  void close() {
    m.close();
  }

  private static final LockOwner[] OWNERS = {
    LockOwner.of("nlm:p"),
    LockOwner.of("smb:w"),
    LockOwner.of("x".repeat(65)),
    LockOwner.of("\ud83d\ude00".repeat(16) + "!")
  };

  private void seed() {
    LockClient c = new LockClient("seed", "nlm");
    m.lock(
        new LockRequest(
            FILES[0],
            "s",
            OWNERS[0],
            c,
            LockFlavour.POSIX,
            LockType.EXCLUSIVE,
            ByteRange.span(0, 100)));
    m.lock(
        new LockRequest(
            FILES[0],
            "s",
            OWNERS[1],
            c,
            LockFlavour.WINDOWS,
            LockType.SHARED,
            ByteRange.zeroLength(-1)));
    m.lock(
        new LockRequest(
            FILES[1],
            "s",
            OWNERS[0],
            c,
            LockFlavour.POSIX,
            LockType.SHARED,
            ByteRange.toEnd(Long.MIN_VALUE)));
    known.add(
        m.open(
                new OpenRequest(
                    FILES[0],
                    "s",
                    OWNERS[0],
                    c,
                    EnumSet.of(ShareAccess.READ),
                    EnumSet.of(ShareAccess.WRITE)))
            .id());
    waiter =
        m.lockBlocking(
            new LockRequest(
                FILES[0],
                "s",
                LockOwner.of("nlm:q"),
                c,
                LockFlavour.POSIX,
                LockType.SHARED,
                ByteRange.of(50, 50)),
            Duration.ofHours(1));
    m.locks(FILES[0]).forEach(l -> known.add(l.id()));
  }

  // ---------------------------------------------------------------- generators

  static Gen<Long> u64() {
    return ValueTypeFuzzTest.u64();
  }

  static Gen<ByteRange> ranges() {
    return Generate.oneOf(
        u64()
            .zip(
                u64(),
                (o, l) -> {
                  try {
                    return ByteRange.span(o, l);
                  } catch (RuntimeException e) {
                    return ByteRange.toEnd(o);
                  }
                }),
        u64().map(ByteRange::zeroLength),
        u64().map(ByteRange::toEnd),
        integers()
            .between(0, 120)
            .zip(
                integers().between(0, 120), (a, b) -> ByteRange.of(Math.min(a, b), Math.max(a, b))),
        Generate.constant(() -> (ByteRange) null));
  }

  static Gen<FileHandle> files() {
    return Generate.oneOf(
        arbitrary().pick(FILES),
        arbitrary().pick(FILES),
        ValueTypeFuzzTest.handleBytes()
            .map(
                b -> {
                  try {
                    return FileHandle.of(b);
                  } catch (RuntimeException e) {
                    return null;
                  }
                }));
  }

  static Gen<LockOwner> owners() {
    return Generate.oneOf(
        arbitrary().pick(OWNERS),
        ValueTypeFuzzTest.ids().map(s -> s == null || s.isEmpty() ? null : LockOwner.of(s)));
  }

  static Gen<LockClient> clients() {
    return arbitrary()
        .pick(
            new LockClient("seed", "nlm"),
            new LockClient("c1", "nlm"),
            new LockClient("c2", "smb"),
            new LockClient("c3", "smb"),
            new LockClient("c4", "smb"));
  }

  /** A request, or null where one of its parts cannot be built (a refused value). */
  static Gen<LockRequest> requests() {
    Gen<Object[]> parts =
        files().zip(owners(), clients(), ranges(), (f, o, c, r) -> new Object[] {f, o, c, r});
    return parts.zip(
        arbitrary().enumValues(LockFlavour.class),
        arbitrary().enumValues(LockType.class),
        (p, fl, t) -> {
          try {
            return new LockRequest(
                (FileHandle) p[0],
                "s",
                (LockOwner) p[1],
                (LockClient) p[2],
                fl,
                t,
                (ByteRange) p[3]);
          } catch (RuntimeException e) {
            return null;
          }
        });
  }

  static Gen<Set<ShareAccess>> modes() {
    return integers()
        .between(0, 7)
        .map(
            mask -> {
              Set<ShareAccess> s = EnumSet.noneOf(ShareAccess.class);
              for (ShareAccess a : ShareAccess.values()) {
                if ((mask & (1 << a.ordinal())) != 0) {
                  s.add(a);
                }
              }
              return s;
            });
  }

  /** One call: which method (0..17) and its inputs. */
  record Call(
      int method, LockRequest a, LockRequest b, int n, Set<ShareAccess> x, Set<ShareAccess> y) {}

  static Gen<Call> calls() {
    return integers()
        .between(0, 17)
        .zip(
            requests(),
            requests(),
            integers().between(-2, 5),
            (k, a, b, n) -> new Object[] {k, a, b, n})
        .zip(
            modes(),
            modes(),
            (o, x, y) ->
                new Call(
                    (Integer) o[0], (LockRequest) o[1], (LockRequest) o[2], (Integer) o[3], x, y));
  }

  // ---------------------------------------------------------------- the property

  @Test
  void everyRefusalIsAPreciseStoreErrorAndChangesNothing() {
    seed();
    Fuzzing.qt(EXAMPLES).forAll(calls()).checkAssert(this::judge);
    System.out.println("manager fuzzing outcomes: " + outcomes);
    assertThat(outcomes.keySet())
        .as("the inputs reach refusals and grants alike")
        .contains(
            "granted",
            "INVALID_ARGUMENT",
            "LOCK_NOT_FOUND",
            "NOT_IN_GRACE",
            "LOCK_LIMIT_EXCEEDED",
            "SHARE_DENIED",
            "LOCK_CONFLICT",
            "NOT_FOUND");
  }

  private void judge(Call c) {
    String before = state();
    Set<ErrorCode> allowed = EnumSet.of(ErrorCode.INVALID_ARGUMENT);
    Supplier<Object> call = callOf(c, allowed);
    Object r;
    Future<Object> f = CALLER.submit(() -> Fuzz.outcome(call));
    try {
      r = f.get(10, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError("the call hangs: " + c, e);
    } catch (Exception e) {
      throw new AssertionError("the call threw " + e.getCause() + ": " + c, e.getCause());
    }
    if (r instanceof ErrorCode code) {
      outcomes.merge(code.name(), 1, Integer::sum);
      assertThat(allowed).as("refusal of %s", c).contains(code);
      assertThat(state()).as("state after the refusal %s of %s", code, c).isEqualTo(before);
    } else {
      outcomes.merge("granted", 1, Integer::sum);
      if (r instanceof org.dittofs.metadata.lock.ShareReservation s) {
        known.add(s.id());
      }
      LockTableInvariants.check(m);
      LockTableInvariants.checkStoreMatches(m, store);
    }
  }

  /** The call of {@code c}; adds the codes it may be refused with to {@code allowed}. */
  private Supplier<Object> callOf(Call c, Set<ErrorCode> allowed) {
    LockRequest a = c.a();
    LockId id =
        known.isEmpty() || c.n() < 0 ? null : known.get(Math.floorMod(c.n() * 7, known.size()));
    LockId forged = c.n() < 0 ? new LockId(0, Long.MAX_VALUE) : id;
    FileHandle file = a == null ? null : a.file();
    switch (c.method()) {
      case 0, 1 -> {
        allowed.add(ErrorCode.LOCK_LIMIT_EXCEEDED);
        return () -> m.lock(a);
      }
      case 2 -> {
        allowed.add(ErrorCode.LOCK_LIMIT_EXCEEDED);
        List<LockRequest> all = new ArrayList<>();
        if (c.n() > 0) {
          all.add(a);
        }
        if (c.n() > 1) {
          all.add(c.b());
        }
        return () -> m.lockAll(all);
      }
      case 3, 4 -> {
        allowed.add(ErrorCode.LOCK_NOT_FOUND);
        return () -> {
          m.unlock(
              a == null ? null : new UnlockRequest(a.file(), a.owner(), a.flavour(), a.range()));
          return "ok";
        };
      }
      case 5 -> {
        allowed.add(ErrorCode.LOCK_NOT_FOUND);
        List<UnlockRequest> all = new ArrayList<>();
        List<LockRequest> some = new ArrayList<>();
        if (c.n() > 0) {
          some.add(a == null ? c.b() : a); // may be null: a null element
        }
        for (LockRequest r : some) {
          all.add(
              r == null ? null : new UnlockRequest(r.file(), r.owner(), r.flavour(), r.range()));
        }
        return () -> {
          m.unlockAll(all);
          return "ok";
        };
      }
      case 6 -> {
        return () -> m.test(a);
      }
      case 7 -> {
        allowed.add(ErrorCode.SHARE_DENIED);
        return () -> m.open(openOf(c));
      }
      case 8 -> {
        allowed.add(ErrorCode.NOT_FOUND);
        return () -> m.downgrade(file, forged, c.x(), c.y());
      }
      case 9 -> {
        allowed.add(ErrorCode.NOT_FOUND);
        return () -> {
          m.close(file, forged);
          return "ok";
        };
      }
      case 10, 11 -> {
        allowed.add(ErrorCode.LOCK_CONFLICT);
        LockingMode mode =
            c.n() < 0 ? null : c.n() % 2 == 0 ? LockingMode.ADVISORY : LockingMode.MANDATORY;
        return () -> {
          if (c.method() == 10) {
            m.checkRead(file, a == null ? null : a.owner(), a == null ? null : a.range(), mode);
          } else {
            m.checkWrite(file, a == null ? null : a.owner(), a == null ? null : a.range(), mode);
          }
          return "ok";
        };
      }
      case 12 -> {
        allowed.add(ErrorCode.DEADLOCK);
        allowed.add(ErrorCode.LOCK_LIMIT_EXCEEDED);
        Duration t =
            c.n() < 0
                ? Duration.ofSeconds(c.n())
                : c.n() == 0 ? Duration.ZERO : c.n() == 1 ? null : Duration.ofDays(3650);
        return () -> {
          PendingLock p = m.lockBlocking(a, t);
          if (!p.isDone()) {
            p.cancel(); // a queued request would be a change; taken back at once
          }
          return p;
        };
      }
      case 13 -> {
        allowed.add(ErrorCode.NOT_IN_GRACE);
        return () -> m.reclaim(a);
      }
      case 14 -> {
        allowed.add(ErrorCode.NOT_IN_GRACE);
        return () -> m.reclaimOpen(openOf(c));
      }
      case 15 -> {
        allowed.add(ErrorCode.CONNECTION_LIMIT_REACHED);
        Duration ttl = c.n() < 0 ? Duration.ofSeconds(c.n()) : Duration.ofSeconds(c.n());
        return () -> {
          m.registerClient(a == null ? null : a.client(), "10.0.0.1", ttl);
          return "ok";
        };
      }
      case 16 -> {
        return () -> {
          m.keepAlive(a == null ? null : a.client());
          return "ok";
        };
      }
      default -> {
        return () -> m.locks(file);
      }
    }
  }

  private static OpenRequest openOf(Call c) {
    LockRequest a = c.a();
    return a == null ? null : new OpenRequest(a.file(), "s", a.owner(), a.client(), c.x(), c.y());
  }

  /**
   * Everything a refusal must leave as it was. Clients are compared by what they hold (registered,
   * lock count): a request refreshes its client even when refused (SPEC 9), so a client seen for
   * the first time is listed afterwards, holding nothing.
   */
  private String state() {
    StringBuilder b = new StringBuilder();
    for (FileHandle f : FILES) {
      b.append(m.locks(f)).append(m.opens(f));
    }
    b.append(m.lockCount()).append(m.graceStatus()).append(m.pendingStoreWrites());
    b.append(new TreeMap<>(store.records()));
    for (ClientInfo i : m.clients()) {
      if (i.connected() || i.locks() > 0) {
        b.append(i.client()).append(i.connected()).append(i.locks());
      }
    }
    b.append(waiter.isDone());
    return b.toString();
  }
}
