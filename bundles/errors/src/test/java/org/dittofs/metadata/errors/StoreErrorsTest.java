package org.dittofs.metadata.errors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.EnumSet;
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

  static Stream<Arguments> pathFactories() {
    return Stream.of(
        Arguments.of(
            "notFound", (Function<String, StoreError>) StoreErrors::notFound, ErrorCode.NOT_FOUND),
        Arguments.of(
            "permissionDenied",
            (Function<String, StoreError>) StoreErrors::permissionDenied,
            ErrorCode.PERMISSION_DENIED),
        Arguments.of(
            "isDirectory",
            (Function<String, StoreError>) StoreErrors::isDirectory,
            ErrorCode.IS_DIRECTORY),
        Arguments.of(
            "notDirectory",
            (Function<String, StoreError>) StoreErrors::notDirectory,
            ErrorCode.NOT_DIRECTORY),
        Arguments.of(
            "notEmpty", (Function<String, StoreError>) StoreErrors::notEmpty, ErrorCode.NOT_EMPTY),
        Arguments.of(
            "alreadyExists",
            (Function<String, StoreError>) StoreErrors::alreadyExists,
            ErrorCode.ALREADY_EXISTS));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("pathFactories")
  void pathFactoryGivesItsCodeNamesThePathAndSetsIt(
      String name, Function<String, StoreError> factory, ErrorCode code) {
    StoreError e = factory.apply("/export/dir/file.txt");

    assertThat(e.code()).isEqualTo(code);
    assertThat(e.getMessage()).contains("/export/dir/file.txt");
    assertThat(e.path()).contains("/export/dir/file.txt");
    assertThat(e.file()).isEmpty();
    assertThat(e.detail()).isEmpty();
    assertThat(e.getCause()).isNull();
  }

  static Stream<Arguments> reasonFactories() {
    return Stream.of(
        Arguments.of(
            "invalidHandle",
            (Function<String, StoreError>) StoreErrors::invalidHandle,
            ErrorCode.INVALID_HANDLE),
        Arguments.of(
            "invalidArgument",
            (Function<String, StoreError>) StoreErrors::invalidArgument,
            ErrorCode.INVALID_ARGUMENT),
        Arguments.of(
            "accessDenied",
            (Function<String, StoreError>) StoreErrors::accessDenied,
            ErrorCode.ACCESS_DENIED),
        Arguments.of(
            "quotaExceeded",
            (Function<String, StoreError>) StoreErrors::quotaExceeded,
            ErrorCode.QUOTA_EXCEEDED),
        Arguments.of(
            "privilegeRequired",
            (Function<String, StoreError>) StoreErrors::privilegeRequired,
            ErrorCode.PRIVILEGE_REQUIRED));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("reasonFactories")
  void reasonFactoryGivesItsCodeAndNamesTheSubject(
      String name, Function<String, StoreError> factory, ErrorCode code) {
    StoreError e = factory.apply("subject-xyz");

    assertThat(e.code()).isEqualTo(code);
    assertThat(e.getMessage()).contains("subject-xyz");
    assertThat(e.path()).isEmpty();
    assertThat(e.detail()).isEmpty();
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
