package org.dittofs.metadata.errors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** SPEC 13: the error type, its copies, its detail records and the code enumeration. */
class StoreErrorTest {
  private static final ErrorDetail.Conflict CONFLICT =
      new ErrorDetail.Conflict("1.7", "nlm:host:1:oh", 10, 19, false, true);

  @Test
  void fullConstructorKeepsEveryPart() {
    IOException cause = new IOException("disk gone");
    StoreError e =
        new StoreError(ErrorCode.LOCKED, "file is locked", "/a/b", "cafe", CONFLICT, cause);

    assertThat(e.code()).isEqualTo(ErrorCode.LOCKED);
    assertThat(e.getMessage()).isEqualTo("file is locked");
    assertThat(e.path()).contains("/a/b");
    assertThat(e.file()).contains("cafe");
    assertThat(e.detail()).contains(CONFLICT);
    assertThat(e.getCause()).isSameAs(cause);
  }

  @Test
  void codeAndMessageConstructorLeavesOptionalPartsEmpty() {
    StoreError e = new StoreError(ErrorCode.IO_ERROR, "read failed");

    assertThat(e.code()).isEqualTo(ErrorCode.IO_ERROR);
    assertThat(e.getMessage()).isEqualTo("read failed");
    assertThat(e.path()).isEmpty();
    assertThat(e.file()).isEmpty();
    assertThat(e.detail()).isEmpty();
    assertThat(e.conflict()).isEmpty();
    assertThat(e.getCause()).isNull();
  }

  @Test
  void causeConstructorKeepsTheCause() {
    IllegalStateException cause = new IllegalStateException("boom");
    StoreError e = new StoreError(ErrorCode.STORE_UNAVAILABLE, "store down", cause);

    assertThat(e.code()).isEqualTo(ErrorCode.STORE_UNAVAILABLE);
    assertThat(e.getCause()).isSameAs(cause);
  }

  @Test
  void nullCodeIsRefused() {
    assertThatThrownBy(() -> new StoreError(null, "message"))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("code");
  }

  @Test
  void nullMessageIsRefused() {
    assertThatThrownBy(() -> new StoreError(ErrorCode.NOT_FOUND, null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("message");
  }

  @Test
  void withPathCopyKeepsCodeMessageFileDetailAndCause() {
    RuntimeException cause = new RuntimeException("root");
    StoreError original =
        new StoreError(ErrorCode.LOCK_CONFLICT, "conflict", "/old", "beef", CONFLICT, cause);

    StoreError copy = original.withPath("/new");

    assertThat(copy).isNotSameAs(original);
    assertThat(copy.code()).isEqualTo(ErrorCode.LOCK_CONFLICT);
    assertThat(copy.getMessage()).isEqualTo("conflict");
    assertThat(copy.path()).contains("/new");
    assertThat(copy.file()).contains("beef");
    assertThat(copy.detail()).containsSame(CONFLICT);
    assertThat(copy.getCause()).isSameAs(cause);
    assertThat(original.path()).contains("/old");
  }

  @Test
  void withFileCopyKeepsCodeMessagePathDetailAndCause() {
    RuntimeException cause = new RuntimeException("root");
    ErrorDetail.Grace grace = new ErrorDetail.Grace(42);
    StoreError original =
        new StoreError(ErrorCode.GRACE_PERIOD, "in grace", "/p", null, grace, cause);

    StoreError copy = original.withFile("0a0b");

    assertThat(copy).isNotSameAs(original);
    assertThat(copy.code()).isEqualTo(ErrorCode.GRACE_PERIOD);
    assertThat(copy.getMessage()).isEqualTo("in grace");
    assertThat(copy.path()).contains("/p");
    assertThat(copy.file()).contains("0a0b");
    assertThat(copy.detail()).containsSame(grace);
    assertThat(copy.getCause()).isSameAs(cause);
    assertThat(original.file()).isEmpty();
  }

  @Test
  void conflictIsPresentOnlyForConflictDetail() {
    StoreError withConflict =
        new StoreError(ErrorCode.LOCK_CONFLICT, "c", null, null, CONFLICT, null);
    assertThat(withConflict.conflict()).containsSame(CONFLICT);

    List<ErrorDetail> others =
        List.of(
            new ErrorDetail.Deadlock("a", List.of("b")),
            new ErrorDetail.Grace(5),
            new ErrorDetail.Limit("per-file", 1000, 1000));
    for (ErrorDetail d : others) {
      StoreError e = new StoreError(ErrorCode.LOCK_CONFLICT, "c", null, null, d, null);
      assertThat(e.conflict()).as("conflict() for %s", d).isEmpty();
      assertThat(e.detail()).containsSame(d);
    }
    assertThat(new StoreError(ErrorCode.LOCKED, "no detail").conflict()).isEmpty();
  }

  @Test
  void toStringNamesCodeMessagePathFileAndDetail() {
    StoreError e = new StoreError(ErrorCode.LOCKED, "file is locked", "/x", "ab01", CONFLICT, null);

    assertThat(e.toString())
        .startsWith("LOCKED: file is locked")
        .contains("/x")
        .contains("ab01")
        .contains(CONFLICT.toString());
  }

  @Test
  void deadlockDetailCopiesItsBlockersImmutably() {
    List<String> blockers = new ArrayList<>(List.of("owner-b", "owner-c"));
    ErrorDetail.Deadlock d = new ErrorDetail.Deadlock("owner-a", blockers);

    blockers.add("owner-d");

    assertThat(d.waiter()).isEqualTo("owner-a");
    assertThat(d.blockers()).containsExactly("owner-b", "owner-c");
    assertThatThrownBy(() -> d.blockers().add("owner-e"))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void deadlockDetailRefusesNullWaiterAndNullBlockers() {
    assertThatThrownBy(() -> new ErrorDetail.Deadlock(null, List.of("b")))
        .isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> new ErrorDetail.Deadlock("a", null))
        .isInstanceOf(NullPointerException.class);
  }

  @Test
  void conflictDetailToStringPrintsOffsetsUnsigned() {
    ErrorDetail.Conflict c = new ErrorDetail.Conflict("3.9", "smb:s1", 1L << 63, -1L, false, true);

    assertThat(c.toString())
        .contains("9223372036854775808")
        .contains("18446744073709551615")
        .doesNotContain("-1")
        .doesNotContain("-9223372036854775808")
        .contains("EXCLUSIVE")
        .contains("3.9")
        .contains("smb:s1");
  }

  @Test
  void conflictDetailToStringShowsZeroLengthSharedAndPendingLocks() {
    ErrorDetail.Conflict zero = new ErrorDetail.Conflict("1.2", "o", -2L, -2L, true, false);
    assertThat(zero.toString())
        .contains("zero-length at 18446744073709551614")
        .contains("SHARED")
        .doesNotContain("EXCLUSIVE");

    ErrorDetail.Conflict pending = new ErrorDetail.Conflict(null, "o", 0, 9, false, true);
    assertThat(pending.toString()).contains("(pending)").contains("[0, 9]");
  }

  @Test
  void conflictDetailRequiresAnOwner() {
    assertThatThrownBy(() -> new ErrorDetail.Conflict("1.1", null, 0, 0, false, false))
        .isInstanceOf(NullPointerException.class);
  }

  @Test
  void limitAndGraceDetailsKeepTheirValues() {
    ErrorDetail.Limit l = new ErrorDetail.Limit("per-client", 10000, 10000);
    assertThat(l.limit()).isEqualTo("per-client");
    assertThat(l.current()).isEqualTo(10000);
    assertThat(l.max()).isEqualTo(10000);
    assertThat(new ErrorDetail.Grace(17).secondsLeft()).isEqualTo(17);
    assertThatThrownBy(() -> new ErrorDetail.Limit(null, 1, 2))
        .isInstanceOf(NullPointerException.class);
  }

  @Test
  void enumerationHoldsExactlyTheCodesOfSpecSection13() {
    Set<String> expected =
        Set.of(
            "NOT_FOUND",
            "ACCESS_DENIED",
            "AUTH_REQUIRED",
            "PERMISSION_DENIED",
            "ALREADY_EXISTS",
            "NOT_EMPTY",
            "IS_DIRECTORY",
            "NOT_DIRECTORY",
            "INVALID_ARGUMENT",
            "IO_ERROR",
            "NO_SPACE",
            "QUOTA_EXCEEDED",
            "READ_ONLY",
            "NOT_SUPPORTED",
            "INVALID_HANDLE",
            "STALE_HANDLE",
            "LOCKED",
            "LOCK_NOT_FOUND",
            "PRIVILEGE_REQUIRED",
            "NAME_TOO_LONG",
            "DEADLOCK",
            "GRACE_PERIOD",
            "LOCK_LIMIT_EXCEEDED",
            "LOCK_CONFLICT",
            "CONNECTION_LIMIT_REACHED",
            "SHARE_DENIED",
            "TIMED_OUT",
            "CANCELLED",
            "NOT_IN_GRACE",
            "STORE_UNAVAILABLE");

    Set<String> actual =
        Arrays.stream(ErrorCode.values()).map(Enum::name).collect(Collectors.toSet());

    assertThat(actual).isEqualTo(expected);
    assertThat(ErrorCode.values()).hasSize(30);
  }
}
