package org.dittofs.metadata.lock.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.dittofs.metadata.lock.FileHandle;
import org.dittofs.metadata.lock.LockClient;
import org.dittofs.metadata.lock.LockId;
import org.dittofs.metadata.lock.LockOwner;
import org.dittofs.metadata.lock.Requests;
import org.dittofs.metadata.lock.ShareAccess;
import org.dittofs.metadata.lock.ShareReservation;
import org.junit.jupiter.api.Test;

/** The per-file open counters behind the O(1) share check (SPEC 6). */
class OpenTableTest {
  private static final int R = ShareAccess.READ.bit();
  private static final int W = ShareAccess.WRITE.bit();
  private static final int D = ShareAccess.DELETE.bit();

  private static ShareReservation open(long seq, String access, String deny) {
    return new ShareReservation(
        new LockId(1, seq),
        LockOwner.of("o" + seq),
        new LockClient("c", "test"),
        "export",
        FileHandle.of("f"),
        Requests.modes(access),
        Requests.modes(deny),
        Instant.EPOCH,
        1);
  }

  @Test
  void emptyTableHasZeroCountersAndNoConflict() {
    OpenTable t = new OpenTable();

    assertThat(t.isEmpty()).isTrue();
    assertThat(t.size()).isZero();
    assertThat(t.counters()).containsExactly(0, 0, 0, 0, 0, 0);
    assertThat(t.conflict(R | W | D, R | W | D)).isNull();
  }

  @Test
  void countersCountAccessAndDenyBitsPerOpen() {
    OpenTable t = new OpenTable();
    t.add(open(1, "RW", "D"));
    t.add(open(2, "R", ""));
    t.add(open(3, "RWD", "W"));

    // access R, W, D then deny R, W, D
    assertThat(t.counters()).containsExactly(3, 2, 1, 0, 1, 1);
    assertThat(t.size()).isEqualTo(3);

    t.remove(open(2, "R", ""));
    assertThat(t.counters()).containsExactly(2, 2, 1, 0, 1, 1);
  }

  @Test
  void removingAnUnknownOpenChangesNoCounter() {
    OpenTable t = new OpenTable();
    t.add(open(1, "R", "W"));

    t.remove(open(99, "RWD", "RWD"));

    assertThat(t.counters()).containsExactly(1, 0, 0, 0, 1, 0);
    assertThat(t.size()).isEqualTo(1);
  }

  @Test
  void conflictReportsAccessMeetingDenyAndDenyMeetingAccess() {
    OpenTable t = new OpenTable();
    t.add(open(1, "R", "W"));

    assertThat(t.conflict(W, 0)).isNotNull().contains("WRITE");
    assertThat(t.conflict(0, R)).isNotNull().contains("READ");
    assertThat(t.conflict(R, W)).isNull();
    assertThat(t.conflict(R | D, D)).isNull();
    assertThat(t.conflict(0, 0)).isNull();
  }

  @Test
  void conflictClearsWhenTheBlockingOpenIsRemoved() {
    OpenTable t = new OpenTable();
    ShareReservation a = open(1, "R", "W");
    ShareReservation b = open(2, "", "W");
    t.add(a);
    t.add(b);

    t.remove(a);
    assertThat(t.conflict(W, 0)).isNotNull();
    t.remove(b);
    assertThat(t.conflict(W, 0)).isNull();
    assertThat(t.isEmpty()).isTrue();
    assertThat(t.counters()).containsExactly(0, 0, 0, 0, 0, 0);
  }

  @Test
  void getAndAllFindOpensById() {
    OpenTable t = new OpenTable();
    ShareReservation c = open(30, "R", "");
    ShareReservation a = open(10, "W", "");
    ShareReservation b = open(20, "", "D");
    t.add(c);
    t.add(a);
    t.add(b);

    assertThat(t.get(new LockId(1, 20))).isEqualTo(b);
    assertThat(t.get(new LockId(1, 21))).isNull();
    assertThat(t.all()).containsExactly(a, b, c);
    t.all().clear();
    assertThat(t.size()).isEqualTo(3);
  }
}
