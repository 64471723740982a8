package org.dittofs.metadata.errors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** SPEC 13: the generic factories and the cause-chain predicates. */
class StoreErrorsTest {

  // ---- factories -------------------------------------------------------------------------

  /** A factory that names a path (which the error then carries) or another subject. */
  private static Arguments factory(
      String name, Function<String, StoreError> make, ErrorCode code, boolean path) {
    return Arguments.of(name, make, code, path);
  }

  static Stream<Arguments> factories() {
    return Stream.of(
        factory("notFound", StoreErrors::notFound, ErrorCode.NOT_FOUND, true),
        factory(
            "permissionDenied", StoreErrors::permissionDenied, ErrorCode.PERMISSION_DENIED, true),
        factory("isDirectory", StoreErrors::isDirectory, ErrorCode.IS_DIRECTORY, true),
        factory("notDirectory", StoreErrors::notDirectory, ErrorCode.NOT_DIRECTORY, true),
        factory("notEmpty", StoreErrors::notEmpty, ErrorCode.NOT_EMPTY, true),
        factory("alreadyExists", StoreErrors::alreadyExists, ErrorCode.ALREADY_EXISTS, true),
        factory("invalidHandle", StoreErrors::invalidHandle, ErrorCode.INVALID_HANDLE, false),
        factory("invalidArgument", StoreErrors::invalidArgument, ErrorCode.INVALID_ARGUMENT, false),
        factory("accessDenied", StoreErrors::accessDenied, ErrorCode.ACCESS_DENIED, false),
        factory("quotaExceeded", StoreErrors::quotaExceeded, ErrorCode.QUOTA_EXCEEDED, false),
        factory(
            "privilegeRequired",
            StoreErrors::privilegeRequired,
            ErrorCode.PRIVILEGE_REQUIRED,
            false));
  }

  /** A factory gives its code and names its subject; a path is also set as the error's path. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("factories")
  void factoryGivesItsCodeAndNamesItsSubject(
      String name, Function<String, StoreError> factory, ErrorCode code, boolean path) {
    String subject = path ? "/export/dir/file.txt" : "subject-xyz";
    StoreError e = factory.apply(subject);

    assertThat(e.code()).isEqualTo(code);
    assertThat(e.getMessage()).contains(subject);
    assertThat(e.path()).isEqualTo(path ? Optional.of(subject) : Optional.empty());
    assertThat(e.file()).isEmpty();
    assertThat(e.detail()).isEmpty();
    assertThat(e.getCause()).isNull();
  }

  @Test
  void invalidArgumentUsesTheMessageAsGiven() {
    assertThat(StoreErrors.invalidArgument("offset must be >= 0, got -3").getMessage())
        .isEqualTo("offset must be >= 0, got -3");
  }

  @Test
  void nameTooLongGivesItsCodeNamesTheNameAndTheMaximum() {
    StoreError e = StoreErrors.nameTooLong("very-long-name", 255);

    assertThat(e.code()).isEqualTo(ErrorCode.NAME_TOO_LONG);
    assertThat(e.getMessage()).contains("very-long-name").contains("255");
  }

  @Test
  void nameTooLongAbbreviatesAHugeNameButStillNamesItsStart() {
    String huge = "n".repeat(10) + "x".repeat(5000);

    StoreError e = StoreErrors.nameTooLong(huge, 255);

    assertThat(e.code()).isEqualTo(ErrorCode.NAME_TOO_LONG);
    assertThat(e.getMessage()).contains("nnnnnnnnnn").contains("255");
    assertThat(e.getMessage().length()).isLessThan(200);
  }

  // ---- predicates ------------------------------------------------------------------------

  record Classifier(String name, Predicate<Throwable> predicate, Set<ErrorCode> codes) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Classifier> classifiers() {
    return Stream.of(
        new Classifier(
            "isNotFound",
            StoreErrors::isNotFound,
            EnumSet.of(ErrorCode.NOT_FOUND, ErrorCode.LOCK_NOT_FOUND)),
        new Classifier(
            "isLockConflict",
            StoreErrors::isLockConflict,
            EnumSet.of(ErrorCode.LOCKED, ErrorCode.LOCK_CONFLICT)),
        new Classifier("isDeadlock", StoreErrors::isDeadlock, EnumSet.of(ErrorCode.DEADLOCK)),
        new Classifier(
            "isGracePeriod", StoreErrors::isGracePeriod, EnumSet.of(ErrorCode.GRACE_PERIOD)),
        new Classifier(
            "isLockLimit", StoreErrors::isLockLimit, EnumSet.of(ErrorCode.LOCK_LIMIT_EXCEEDED)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("classifiers")
  void predicateIsTrueForEachOfItsCodesDirectly(Classifier c) {
    for (ErrorCode code : c.codes()) {
      assertThat(c.predicate().test(new StoreError(code, "direct"))).as("%s", code).isTrue();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("classifiers")
  void predicateIsFalseForEveryOtherCode(Classifier c) {
    for (ErrorCode code : ErrorCode.values()) {
      if (!c.codes().contains(code)) {
        assertThat(c.predicate().test(new StoreError(code, "other"))).as("%s", code).isFalse();
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("classifiers")
  void predicateIsTrueThroughAChainOfWrappingCauses(Classifier c) {
    for (ErrorCode code : c.codes()) {
      StoreError root = new StoreError(code, "root");
      Throwable wrapped =
          new RuntimeException(
              "adapter", new IllegalStateException("store", new RuntimeException("tx", root)));
      assertThat(c.predicate().test(wrapped)).as("%s wrapped three deep", code).isTrue();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("classifiers")
  void predicateLooksPastAStoreErrorOfAnotherCodeToItsCause(Classifier c) {
    ErrorCode code = c.codes().iterator().next();
    StoreError outer = new StoreError(ErrorCode.IO_ERROR, "outer", new StoreError(code, "inner"));

    assertThat(c.predicate().test(outer)).isTrue();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("classifiers")
  void predicateIsFalseForNullAndForPlainExceptions(Classifier c) {
    assertThat(c.predicate().test(null)).isFalse();
    assertThat(c.predicate().test(new RuntimeException("plain"))).isFalse();
    assertThat(
            c.predicate()
                .test(new RuntimeException("w", new StoreError(ErrorCode.IO_ERROR, "other"))))
        .isFalse();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("classifiers")
  void predicateTerminatesOnACauseCycleWithoutAMatch(Classifier c) {
    RuntimeException a = new RuntimeException("a");
    RuntimeException b = new RuntimeException("b");
    a.initCause(b);
    b.initCause(a);

    boolean result = assertTimeoutPreemptively(Duration.ofSeconds(5), () -> c.predicate().test(a));

    assertThat(result).isFalse();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("classifiers")
  void predicateFindsAMatchInsideACauseCycle(Classifier c) {
    ErrorCode code = c.codes().iterator().next();
    RuntimeException a = new RuntimeException("a");
    StoreError inner = new StoreError(code, "inner", a);
    RuntimeException outer = new RuntimeException("outer");
    outer.initCause(inner);
    a.initCause(outer); // outer -> inner -> a -> outer

    boolean matched =
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> c.predicate().test(outer));
    assertThat(matched).isTrue();

    // and a cycle through a StoreError of another code is finite and false
    RuntimeException x = new RuntimeException("x");
    StoreError other = new StoreError(ErrorCode.IO_ERROR, "other", x);
    x.initCause(other);
    boolean unmatched =
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> c.predicate().test(x));
    assertThat(unmatched).isFalse();
  }

  @Test
  void hasCodeWithSeveralCodesMatchesAnyOfThem() {
    StoreError e = new StoreError(ErrorCode.TIMED_OUT, "t");

    assertThat(StoreErrors.hasCode(e, ErrorCode.CANCELLED, ErrorCode.TIMED_OUT)).isTrue();
    assertThat(StoreErrors.hasCode(e, ErrorCode.CANCELLED)).isFalse();
    assertThat(StoreErrors.hasCode(e)).isFalse();
    assertThat(StoreErrors.hasCode(null, ErrorCode.TIMED_OUT)).isFalse();
  }
}
