package org.dittofs.metadata.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.dittofs.metadata.errors.ErrorCode;
import org.dittofs.metadata.errors.StoreError;
import org.dittofs.metadata.lock.host.LockManager;
import org.dittofs.metadata.lock.host.LockManagers;
import org.dittofs.metadata.lock.internal.LockTableInvariants;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** SPEC 6: share reservations (opens). */
class ShareReservationTest {
  private final LockManager locks = LockManagers.builder().build();
  private final Requests f = Requests.on("shared-file");

  private static void assertCode(Executable call, ErrorCode code) {
    assertThatThrownBy(call::execute)
        .isInstanceOfSatisfying(StoreError.class, e -> assertThat(e.code()).isEqualTo(code));
  }

  private static Set<ShareAccess> fromMask(int mask) {
    Set<ShareAccess> s = EnumSet.noneOf(ShareAccess.class);
    for (ShareAccess a : ShareAccess.values()) {
      if ((mask & a.bit()) != 0) {
        s.add(a);
      }
    }
    return s;
  }

  static Stream<Arguments> existingOpens() {
    return IntStream.range(0, 8)
        .boxed()
        .flatMap(
            a ->
                IntStream.range(0, 8)
                    .boxed()
                    .flatMap(d -> Stream.of(Arguments.of(a, d, false), Arguments.of(a, d, true))));
  }

  @ParameterizedTest(name = "existing access={0} deny={1} sameOwner={2}")
  @MethodSource("existingOpens")
  void openConflictsExactlyWhenAccessMeetsDenyEitherWay(
      int oldAccess, int oldDeny, boolean sameOwner) {
    ShareReservation existing =
        locks.open(f.posix("A").open(fromMask(oldAccess), fromMask(oldDeny)));

    for (int newAccess = 0; newAccess < 8; newAccess++) {
      for (int newDeny = 0; newDeny < 8; newDeny++) {
        boolean expectConflict = (newAccess & oldDeny) != 0 || (newDeny & oldAccess) != 0;
        OpenRequest req =
            f.posix(sameOwner ? "A" : "B").open(fromMask(newAccess), fromMask(newDeny));
        String what = "new access=" + newAccess + " deny=" + newDeny;
        if (expectConflict) {
          assertThatThrownBy(() -> locks.open(req))
              .as(what)
              .isInstanceOfSatisfying(
                  StoreError.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.SHARE_DENIED));
        } else {
          ShareReservation r = locks.open(req);
          assertThat(r.accessMask()).as(what).isEqualTo(newAccess);
          assertThat(r.denyMask()).as(what).isEqualTo(newDeny);
          locks.close(f.file(), r.id());
        }
        assertThat(locks.opens(f.file())).as(what).containsExactly(existing);
      }
    }
    LockTableInvariants.check(locks);
  }

  @Test
  void sameOwnerIsCheckedAgainstItsOwnOpens() {
    locks.open(f.posix("A").open("RW", "W"));

    assertCode(() -> locks.open(f.posix("A").open("W", "")), ErrorCode.SHARE_DENIED);
    assertCode(() -> locks.open(f.posix("A").open("R", "R")), ErrorCode.SHARE_DENIED);
    assertThat(locks.open(f.posix("A").open("R", "D")).access()).containsExactly(ShareAccess.READ);
    LockTableInvariants.check(locks);
  }

  @Test
  void refusalNamesTheFileAndLeavesTheOpensUnchanged() {
    ShareReservation first = locks.open(f.posix("A").open("R", "W"));

    assertThatThrownBy(() -> locks.open(f.windows("B").open("W", "")))
        .isInstanceOfSatisfying(
            StoreError.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.SHARE_DENIED);
              assertThat(e.file()).contains(f.file().toHex());
            });
    assertThat(locks.opens(f.file())).containsExactly(first);
    LockTableInvariants.check(locks);
  }

  @Test
  void openGrantsTheRequestedModesWithAFreshId() {
    ShareReservation a = locks.open(f.posix("A").open("RD", "W"));
    ShareReservation b = locks.open(f.posix("B").open("R", ""));

    assertThat(a.access()).containsExactlyInAnyOrder(ShareAccess.READ, ShareAccess.DELETE);
    assertThat(a.deny()).containsExactly(ShareAccess.WRITE);
    assertThat(a.owner()).isEqualTo(LockOwner.of("A"));
    assertThat(a.file()).isEqualTo(f.file());
    assertThat(a.share()).isEqualTo("export");
    assertThat(a.epoch()).isEqualTo(locks.epoch());
    assertThat(a.id()).isNotEqualTo(b.id());
    assertThat(a.id().epoch()).isEqualTo(locks.epoch());
    LockTableInvariants.check(locks);
  }

  @Test
  void opensOfAFileAreListedInIdOrder() {
    ShareReservation a = locks.open(f.posix("A").open("R", ""));
    ShareReservation b = locks.open(f.posix("B").open("R", "W"));
    ShareReservation c = locks.open(f.windows("C").open("", "D"));
    locks.open(Requests.on("other-file").posix("D").open("RW", "RW"));

    assertThat(locks.opens(f.file())).containsExactly(a, b, c);
    assertThat(locks.opens(FileHandle.of("never-opened"))).isEmpty();
    LockTableInvariants.check(locks);
  }

  @Test
  void opensOfDifferentFilesNeverConflict() {
    locks.open(f.posix("A").open("RWD", "RWD"));

    ShareReservation other = locks.open(Requests.on("another").posix("B").open("RWD", "RWD"));

    assertThat(locks.opens(FileHandle.of("another"))).containsExactly(other);
    LockTableInvariants.check(locks);
  }

  @Test
  void downgradeToSubsetsIsAllowedAndKeepsTheId() {
    ShareReservation open = locks.open(f.posix("A").open("RWD", "RW"));

    ShareReservation down =
        locks.downgrade(f.file(), open.id(), Requests.modes("R"), Requests.modes("W"));

    assertThat(down.id()).isEqualTo(open.id());
    assertThat(down.access()).containsExactly(ShareAccess.READ);
    assertThat(down.deny()).containsExactly(ShareAccess.WRITE);
    assertThat(locks.opens(f.file())).containsExactly(down);
    LockTableInvariants.check(locks);
  }

  @Test
  void downgradeToTheSameModesIsAllowed() {
    ShareReservation open = locks.open(f.posix("A").open("RW", "D"));

    ShareReservation same = locks.downgrade(f.file(), open.id(), open.access(), open.deny());

    assertThat(same.access()).isEqualTo(open.access());
    assertThat(same.deny()).isEqualTo(open.deny());
    LockTableInvariants.check(locks);
  }

  @Test
  void downgradeFreesTheDroppedBitsForOtherOpens() {
    ShareReservation a = locks.open(f.posix("A").open("RW", "W"));
    assertCode(() -> locks.open(f.posix("B").open("W", "")), ErrorCode.SHARE_DENIED);

    locks.downgrade(f.file(), a.id(), Requests.modes("RW"), Requests.modes(""));
    ShareReservation b = locks.open(f.posix("B").open("W", ""));

    assertThat(b.access()).containsExactly(ShareAccess.WRITE);
    LockTableInvariants.check(locks);
  }

  @Test
  void downgradeOfAccessFreesItForAnotherOpensDeny() {
    ShareReservation a = locks.open(f.posix("A").open("RW", ""));
    assertCode(() -> locks.open(f.posix("B").open("R", "W")), ErrorCode.SHARE_DENIED);

    locks.downgrade(f.file(), a.id(), Requests.modes("R"), Requests.modes(""));

    assertThat(locks.open(f.posix("B").open("R", "W")).deny()).containsExactly(ShareAccess.WRITE);
    LockTableInvariants.check(locks);
  }

  @Test
  void downgradeToANonSubsetIsRefusedAndTheOpenIsUnchanged() {
    ShareReservation open = locks.open(f.posix("A").open("R", "W"));

    assertCode(
        () -> locks.downgrade(f.file(), open.id(), Requests.modes("RW"), Requests.modes("W")),
        ErrorCode.INVALID_ARGUMENT);
    assertCode(
        () -> locks.downgrade(f.file(), open.id(), Requests.modes("R"), Requests.modes("WD")),
        ErrorCode.INVALID_ARGUMENT);
    assertCode(
        () -> locks.downgrade(f.file(), open.id(), Requests.modes(""), Requests.modes("R")),
        ErrorCode.INVALID_ARGUMENT);

    assertThat(locks.opens(f.file())).containsExactly(open);
    // the deny WRITE is still enforced
    assertCode(() -> locks.open(f.posix("B").open("W", "")), ErrorCode.SHARE_DENIED);
    LockTableInvariants.check(locks);
  }

  @Test
  void closeReleasesTheReservation() {
    ShareReservation a = locks.open(f.posix("A").open("R", "RW"));
    assertCode(() -> locks.open(f.posix("B").open("R", "")), ErrorCode.SHARE_DENIED);

    locks.close(f.file(), a.id());

    ShareReservation b = locks.open(f.posix("B").open("RW", ""));
    assertThat(locks.opens(f.file())).containsExactly(b);
    LockTableInvariants.check(locks);
  }

  @Test
  void closeOrDowngradeOfAnUnknownOpenIsNotFound() {
    LockId unknown = new LockId(locks.epoch(), 987654);

    assertThatThrownBy(() -> locks.close(f.file(), unknown))
        .isInstanceOfSatisfying(
            StoreError.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND);
              assertThat(e.file()).contains(f.file().toHex());
              assertThat(e.getMessage()).contains(unknown.toString());
            });
    assertCode(() -> locks.downgrade(f.file(), unknown, Set.of(), Set.of()), ErrorCode.NOT_FOUND);

    ShareReservation a = locks.open(f.posix("A").open("R", ""));
    assertCode(() -> locks.close(f.file(), unknown), ErrorCode.NOT_FOUND);
    assertCode(
        () -> locks.downgrade(Requests.on("elsewhere").file(), a.id(), Set.of(), Set.of()),
        ErrorCode.NOT_FOUND);
    assertCode(() -> locks.close(Requests.on("elsewhere").file(), a.id()), ErrorCode.NOT_FOUND);
    assertThat(locks.opens(f.file())).containsExactly(a);
    LockTableInvariants.check(locks);
  }

  @Test
  void openCloseOrDowngradeWithMissingArgumentsIsInvalidArgument() {
    ShareReservation a = locks.open(f.posix("A").open("RW", ""));

    assertCode(() -> locks.open(null), ErrorCode.INVALID_ARGUMENT);
    assertCode(() -> locks.close(null, a.id()), ErrorCode.INVALID_ARGUMENT);
    assertCode(() -> locks.close(f.file(), null), ErrorCode.INVALID_ARGUMENT);
    assertCode(() -> locks.downgrade(f.file(), a.id(), null, Set.of()), ErrorCode.INVALID_ARGUMENT);
    assertCode(() -> locks.downgrade(f.file(), a.id(), Set.of(), null), ErrorCode.INVALID_ARGUMENT);
    assertThat(locks.opens(f.file())).containsExactly(a);
    LockTableInvariants.check(locks);
  }

  @Test
  void closingTwiceIsNotFoundTheSecondTime() {
    ShareReservation a = locks.open(f.posix("A").open("R", ""));
    locks.close(f.file(), a.id());

    assertCode(() -> locks.close(f.file(), a.id()), ErrorCode.NOT_FOUND);
    assertThat(locks.opens(f.file())).isEmpty();
    LockTableInvariants.check(locks);
  }

  @Test
  void opensAndLocksOfAFileAreIndependent() {
    locks.open(f.posix("A").open("RW", "RW"));

    assertThat(locks.lock(f.posix("B").exclusive(0, 10)).granted()).isTrue();
    ShareReservation o = locks.opens(f.file()).get(0);
    locks.close(f.file(), o.id());
    assertThat(locks.locks(f.file())).hasSize(1);
    LockTableInvariants.check(locks);
  }

  @Test
  void manyOpensThenClosesLeaveTheTableClean() {
    Random rnd = new Random(6);
    List<ShareReservation> held = new ArrayList<>();
    int denied = 0;
    for (int i = 0; i < 600; i++) {
      Set<ShareAccess> access = fromMask(rnd.nextInt(8));
      Set<ShareAccess> deny = fromMask(rnd.nextInt(3) == 0 ? rnd.nextInt(8) : 0);
      OpenRequest req = f.posix("owner-" + rnd.nextInt(20)).open(access, deny);
      int a = ShareReservation.mask(access);
      int d = ShareReservation.mask(deny);
      boolean expectConflict =
          held.stream().anyMatch(o -> (a & o.denyMask()) != 0 || (d & o.accessMask()) != 0);
      if (expectConflict) {
        assertCode(() -> locks.open(req), ErrorCode.SHARE_DENIED);
        denied++;
      } else {
        held.add(locks.open(req));
      }
      if (!held.isEmpty() && rnd.nextInt(3) == 0) {
        ShareReservation gone = held.remove(rnd.nextInt(held.size()));
        locks.close(f.file(), gone.id());
      }
      if (i % 50 == 0) {
        LockTableInvariants.check(locks);
      }
    }
    assertThat(denied).isPositive();
    assertThat(locks.opens(f.file())).containsExactlyInAnyOrderElementsOf(held);

    Collections.shuffle(held, rnd);
    for (ShareReservation o : held) {
      locks.close(f.file(), o.id());
    }

    assertThat(locks.opens(f.file())).isEmpty();
    LockTableInvariants.check(locks);
    // a fully exclusive open succeeds once everything is closed
    assertThat(locks.open(f.posix("last").open("RWD", "RWD")).denyMask()).isEqualTo(7);
    LockTableInvariants.check(locks);
  }
}
