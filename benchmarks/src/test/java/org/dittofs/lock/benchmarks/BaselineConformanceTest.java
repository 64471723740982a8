package org.dittofs.lock.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.dittofs.lock.benchmarks.baseline.ListLockTable;
import org.dittofs.metadata.lock.ByteRange;
import org.dittofs.metadata.lock.FileHandle;
import org.dittofs.metadata.lock.Lock;
import org.dittofs.metadata.lock.LockClient;
import org.dittofs.metadata.lock.LockOwner;
import org.dittofs.metadata.lock.LockRequest;
import org.dittofs.metadata.lock.LockResult;
import org.dittofs.metadata.lock.LockType;
import org.dittofs.metadata.lock.host.LockManager;
import org.junit.jupiter.api.Test;

/**
 * The baseline is only a fair comparison if it does the same job: a differential test that drives
 * it and the lock manager with the same random POSIX requests (3 owners, ranges within 48 bytes, so
 * that merges, splits, downgrades and conflicts are frequent) and asserts after every step that
 * both grant and deny the same requests, report a conflict at the same first byte with the same
 * owner, and hold exactly the same bytes per owner and type.
 */
class BaselineConformanceTest {
  private static final long SEED = 20261126L;
  private static final int STEPS = 20_000;

  @Test
  void theBaselineAnswersLikeTheLockManager() {
    Random rnd = new Random(SEED);
    FileHandle file = Fixtures.file("conformance");
    LockOwner[] owners = {Fixtures.owner("a"), Fixtures.owner("b"), Fixtures.owner("c")};
    LockClient client = Fixtures.client("conformance");
    ListLockTable base = new ListLockTable(1);
    try (LockManager ours = Fixtures.manager()) {
      for (int step = 0; step < STEPS; step++) {
        LockOwner owner = owners[rnd.nextInt(owners.length)];
        long first = rnd.nextInt(40);
        ByteRange range = ByteRange.span(first, 1 + rnd.nextInt(8));
        LockType type = rnd.nextBoolean() ? LockType.SHARED : LockType.EXCLUSIVE;
        LockRequest req = Fixtures.posix(file, owner, client, type, range);
        String what = "step " + step + ": " + owner + " " + type + " " + range;
        switch (rnd.nextInt(3)) {
          case 0 -> {
            LockResult a = ours.lock(req);
            LockResult b = base.lock(req);
            assertThat(b.granted()).as(what + " granted").isEqualTo(a.granted());
            if (!a.granted()) {
              assertSameConflict(
                  what,
                  Optional.of(((LockResult.Denied) a).conflict()),
                  Optional.of(((LockResult.Denied) b).conflict()));
            }
          }
          case 1 -> {
            ours.unlock(Fixtures.unlock(file, owner, range));
            base.unlock(Fixtures.unlock(file, owner, range));
          }
          default -> assertSameConflict(what + " (test)", ours.test(req), base.test(req));
        }
        assertThat(bytes(base.locks(file))).as(what + ": held").isEqualTo(bytes(ours.locks(file)));
      }
    }
  }

  private static void assertSameConflict(String what, Optional<Lock> ours, Optional<Lock> base) {
    assertThat(base.isPresent()).as(what + ": conflict found").isEqualTo(ours.isPresent());
    if (ours.isPresent()) {
      assertThat(base.get().range().first())
          .as(what + ": conflict's first byte")
          .isEqualTo(ours.get().range().first());
      assertThat(base.get().owner()).as(what + ": conflict's owner").isEqualTo(ours.get().owner());
    }
  }

  /** Every held byte as "owner type byte": the same bytes may be split into records differently. */
  private static Set<String> bytes(List<Lock> locks) {
    return locks.stream()
        .flatMap(
            l -> {
              long from = l.range().first();
              long to = l.range().last();
              return java.util.stream.LongStream.rangeClosed(from, to)
                  .mapToObj(x -> l.owner() + " " + l.type() + " " + x);
            })
        .collect(Collectors.toSet());
  }
}
