package org.dittofs.metadata.lock;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.dittofs.metadata.lock.host.LockManager;
import org.dittofs.metadata.lock.host.LockManagers;
import org.dittofs.metadata.lock.internal.LockTableInvariants;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * SPEC 4 "Test": test() answers with the same predicate as lock() and reports deterministically.
 */
class LockTestReportTest {

  private final LockManager locks = LockManagers.builder().build();
  private final Requests on = Requests.on("test-file");

  private Lock grant(LockRequest r) {
    return Answers.grant(locks, r);
  }

  // ---- test() agrees with lock() for every combination ----

  enum Relation {
    SAME_OWNER,
    OTHER_OWNER,
    OTHER_PROTOCOL
  }

  enum Placement {
    IDENTICAL,
    PARTIAL_OVERLAP,
    ADJACENT
  }

  static Stream<Arguments> combinations() {
    List<Arguments> out = new ArrayList<>();
    for (LockFlavour flavour : LockFlavour.values()) {
      for (Relation relation : Relation.values()) {
        for (LockType held : LockType.values()) {
          for (LockType requested : LockType.values()) {
            for (Placement placement : Placement.values()) {
              out.add(Arguments.of(flavour, relation, held, requested, placement));
            }
          }
        }
      }
    }
    return out.stream();
  }

  /** The answer SPEC 3 prescribes. */
  private static boolean expectedGrant(
      LockFlavour flavour, Relation relation, LockType held, LockType requested, Placement p) {
    if (p == Placement.ADJACENT) {
      return true;
    }
    if (relation == Relation.SAME_OWNER) {
      return flavour == LockFlavour.POSIX || requested == LockType.SHARED;
    }
    return held == LockType.SHARED && requested == LockType.SHARED;
  }

  @ParameterizedTest(name = "{0} holder, {1}, held {2}, requested {3}, {4}")
  @MethodSource("combinations")
  void testAgreesWithLock(
      LockFlavour flavour,
      Relation relation,
      LockType heldType,
      LockType requestedType,
      Placement placement) {
    LockManager m = LockManagers.builder().build();
    Requests f = Requests.on("matrix");
    Requests.Owner holder =
        flavour == LockFlavour.POSIX ? f.posix("nlm:host:1:holder") : f.windows("smb:s:holder");
    Requests.Owner requester =
        switch (relation) {
          case SAME_OWNER -> holder;
          case OTHER_OWNER ->
              flavour == LockFlavour.POSIX ? f.posix("nlm:host:2:other") : f.windows("smb:s:other");
          case OTHER_PROTOCOL ->
              flavour == LockFlavour.POSIX ? f.windows("smb:s:other") : f.posix("nlm:host:2:other");
        };
    ByteRange requestedRange =
        switch (placement) {
          case IDENTICAL -> ByteRange.span(100, 50);
          case PARTIAL_OVERLAP -> ByteRange.span(140, 50);
          case ADJACENT -> ByteRange.span(150, 50);
        };
    LockResult first = m.lock(holder.request(heldType, ByteRange.span(100, 50)));
    assertThat(first.granted()).isTrue();
    Lock held = ((LockResult.Granted) first).lock();
    List<Lock> before = m.locks(f.file());

    LockRequest request = requester.request(requestedType, requestedRange);
    Optional<Lock> report = m.test(request);
    assertThat(m.locks(f.file())).as("test changes nothing").isEqualTo(before);
    LockResult result = m.lock(request);

    assertThat(report.isEmpty()).isEqualTo(result.granted());
    assertThat(result.granted())
        .isEqualTo(expectedGrant(flavour, relation, heldType, requestedType, placement));
    if (result instanceof LockResult.Denied d) {
      assertThat(report).contains(d.conflict());
      assertThat(d.conflict()).isEqualTo(held);
      assertThat(m.locks(f.file())).isEqualTo(before);
    }
    LockTableInvariants.check(m);
  }

  @ParameterizedTest(name = "zero-length at {0} vs held {3} [{1}, {2}] -> granted {4}")
  @CsvSource({
    "10, 9, 10, EXCLUSIVE, false",
    "10, 0, 100, SHARED, true", // SHARED request against SHARED holder
    "10, 0, 100, EXCLUSIVE, false",
    "10, 10, 14, EXCLUSIVE, true",
    "10, 5, 9, EXCLUSIVE, true",
    "0, 0, 100, EXCLUSIVE, true",
  })
  void testAgreesWithLockForZeroLengthRequests(
      long at, long first, long last, LockType heldType, boolean expected) {
    LockManager m = LockManagers.builder().build();
    Requests f = Requests.on("zero");
    grant(m, f.windows("smb:holder").request(heldType, ByteRange.of(first, last)));
    LockRequest request = f.windows("smb:asker").request(LockType.SHARED, ByteRange.zeroLength(at));
    Optional<Lock> report = m.test(request);
    LockResult result = m.lock(request);
    assertThat(report.isEmpty()).isEqualTo(result.granted()).isEqualTo(expected);
    LockTableInvariants.check(m);
  }

  private static void grant(LockManager m, LockRequest r) {
    assertThat(m.lock(r).granted()).isTrue();
  }

  @Test
  void sharedTestAgainstSharedHolderIsGranted() {
    grant(on.posix("nlm:h:1:1").shared(0, 100));
    assertThat(locks.test(on.posix("nlm:h:2:2").shared(0, 100))).isEmpty();
    assertThat(locks.test(on.windows("smb:s:3").shared(50, 1))).isEmpty();
  }

  @Test
  void testReportsOwnerRangeAndTypeOfTheConflict() {
    Lock held = grant(on.posix("nlm:h:1:1").exclusive(10, 20));
    Optional<Lock> report = locks.test(on.posix("nlm:h:2:2").shared(0, 15));
    assertThat(report).isPresent();
    Lock c = report.get();
    assertThat(c.id()).isEqualTo(held.id());
    assertThat(c.owner()).isEqualTo(LockOwner.of("nlm:h:1:1"));
    assertThat(c.range()).isEqualTo(ByteRange.of(10, 29));
    assertThat(c.type()).isEqualTo(LockType.EXCLUSIVE);
  }

  @Test
  void testChangesNothingWhenItWouldBeGranted() {
    assertThat(locks.test(on.posix("nlm:h:1:1").exclusive(0, 10))).isEmpty();
    assertThat(locks.locks(on.file())).isEmpty();
    assertThat(locks.lockCount()).isZero();
    // testing did not fix the owner's flavour
    assertThat(locks.lock(on.windows("nlm:h:1:1").exclusive(0, 10)).granted()).isTrue();
    LockTableInvariants.check(locks);
  }

  @Test
  void testOnAFileWithoutLocksIsGranted() {
    assertThat(locks.test(Requests.on("nothing-here").windows("smb:x").exclusive(0, 0))).isEmpty();
    LockTableInvariants.check(locks);
  }

  @Test
  void testOfWindowsExclusiveReportsTheOwnersOwnLock() {
    Lock own = grant(on.windows("smb:w").shared(0, 10));
    assertThat(locks.test(on.windows("smb:w").exclusive(5, 1))).contains(own);
    assertThat(locks.test(on.windows("smb:w").shared(5, 1))).isEmpty();
  }

  @Test
  void testOfPosixOwnerOverItsOwnLocksIsGranted() {
    grant(on.posix("nlm:h:1:1").exclusive(0, 10));
    assertThat(locks.test(on.posix("nlm:h:1:1").exclusive(0, 0))).isEmpty();
  }

  // ---- deterministic report ----

  /**
   * POSIX locks of distinct owners granted in order ({@code S|X@offset+length}, length 0 to EOF;
   * the one the report must name marked {@code *}), then a request of another owner: test and the
   * denial of lock both name the marked lock.
   */
  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "the lowest first byte | S@50+10 S@30+10 *S@10+10 S@70+10 S@20+10 | X@0+100",
        "the oldest among those at the same first byte | S@40+10 *S@10+50 S@10+5 S@10+1 | X@0+100",
        "the oldest even when it is the shortest | *S@10+1 S@10+50 | X@0+100",
        "the lowest first byte across shared and exclusive | X@60+10 *S@20+10 X@40+10 | X@0+100",
        "the lowest exclusive for a shared request | X@60+10 S@20+10 *X@40+10 | S@0+100",
        "the exclusive when it starts lower than every shared | *X@5+10 S@20+10 | X@0+100",
        "first bytes compared unsigned | S@9223372036854775808+10 *S@100+10 | X@0+0"
      })
  void reportIsDeterministic(String rule, String held, String request) {
    String[] specs = held.split(" ");
    Lock marked = null;
    for (int i = 0; i < specs.length; i++) {
      Lock l = grant(posix("nlm:h:1:" + i, specs[i].replace("*", "")));
      marked = specs[i].startsWith("*") ? l : marked;
    }
    Lock expected = marked;
    LockRequest req = posix("nlm:h:1:a", request);
    assertThat(locks.test(req)).as(rule).contains(expected);
    assertThat(locks.lock(req))
        .isInstanceOfSatisfying(
            LockResult.Denied.class, d -> assertThat(d.conflict()).as(rule).isEqualTo(expected));
  }

  /** A POSIX request of {@code owner} from {@code S|X@offset+length} (offset unsigned). */
  private LockRequest posix(String owner, String spec) {
    String[] w = spec.substring(2).split("\\+");
    long offset = Long.parseUnsignedLong(w[0]);
    long length = Long.parseLong(w[1]);
    Requests.Owner o = on.posix(owner);
    return spec.startsWith("X") ? o.exclusive(offset, length) : o.shared(offset, length);
  }

  @Test
  void reportOfStackedWindowsLocksIsTheOldest() {
    Lock x = grant(on.windows("smb:w").exclusive(10, 10));
    grant(on.windows("smb:w").shared(10, 10));
    grant(on.windows("smb:w").shared(10, 10));
    assertThat(locks.test(on.windows("smb:a").exclusive(0, 100))).contains(x);
    assertThat(locks.test(on.windows("smb:a").shared(0, 100))).contains(x);
  }

  @Test
  void reportIsStableAcrossRepeatedTests() {
    grant(on.posix("nlm:h:1:b").shared(30, 10));
    grant(on.posix("nlm:h:1:c").shared(10, 10));
    LockRequest req = on.posix("nlm:h:1:a").exclusive(0, 0);
    Optional<Lock> first = locks.test(req);
    assertThat(locks.test(req)).isEqualTo(first);
    assertThat(locks.test(req)).isEqualTo(first);
  }

  @Test
  void reportIgnoresLocksOutsideTheRequestedRange() {
    grant(on.posix("nlm:h:1:b").exclusive(0, 10));
    Lock inside = grant(on.posix("nlm:h:1:c").exclusive(50, 10));
    assertThat(locks.test(on.posix("nlm:h:1:a").shared(10, 100))).contains(inside);
  }

  @Test
  void reportAfterCoalescingIsTheCoalescedRange() {
    grant(on.posix("nlm:h:1:b").shared(0, 10));
    grant(on.posix("nlm:h:1:b").shared(10, 10));
    Optional<Lock> report = locks.test(on.posix("nlm:h:1:a").exclusive(15, 1));
    assertThat(report).isPresent();
    assertThat(report.get().range()).isEqualTo(ByteRange.of(0, 19));
  }

  @Test
  void reportAfterSplittingIsThePieceThatConflicts() {
    grant(on.posix("nlm:h:1:b").exclusive(0, 100));
    locks.unlock(on.posix("nlm:h:1:b").unlock(40, 10));
    Optional<Lock> report = locks.test(on.posix("nlm:h:1:a").shared(45, 10));
    assertThat(report).isPresent();
    assertThat(report.get().range()).isEqualTo(ByteRange.of(50, 99));
  }

  @Test
  void deniedLockReportsTheSameLockAsTest() {
    grant(on.windows("smb:b").shared(70, 10));
    grant(on.posix("nlm:h:1:c").exclusive(40, 10));
    grant(on.windows("smb:d").shared(32, 5));
    grant(on.posix("nlm:h:1:e").shared(90, 10));
    LockRequest req = on.posix("nlm:h:1:a").exclusive(30, 70);
    Optional<Lock> report = locks.test(req);
    LockResult result = locks.lock(req);
    assertThat(report).isPresent();
    assertThat(result)
        .isInstanceOfSatisfying(
            LockResult.Denied.class, d -> assertThat(d.conflict()).isEqualTo(report.get()));
  }

  @Test
  void deniedLockAllReportsTheFirstConflictLikeTest() {
    grant(on.windows("smb:b").exclusive(60, 10));
    Lock lower = grant(on.windows("smb:c").shared(50, 5));
    LockRequest conflicting = on.windows("smb:a").exclusive(50, 50);
    Optional<Lock> report = locks.test(conflicting);
    assertThat(report).contains(lower);
    LockResult result = locks.lockAll(List.of(on.windows("smb:a").shared(0, 10), conflicting));
    assertThat(result)
        .isInstanceOfSatisfying(
            LockResult.Denied.class, d -> assertThat(d.conflict()).isEqualTo(lower));
  }
}
