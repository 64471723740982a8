package org.dittofs.metadata.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.time.Duration;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.dittofs.metadata.errors.ErrorCode;
import org.dittofs.metadata.errors.StoreError;
import org.dittofs.metadata.lock.host.LockConfig;
import org.dittofs.metadata.lock.host.LockManager;
import org.dittofs.metadata.lock.host.LockManagers;
import org.dittofs.metadata.lock.testing.LockConfigs;
import org.dittofs.metadata.lock.testing.ManualScheduler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link LockConfig}: the defaults are docs/lock-semantics.md's, every duration is validated when
 * the configuration is built (INVALID_ARGUMENT naming the field), fairness is required, and {@code
 * toBuilder} round-trips. A manager reports and replaces its configuration.
 */
class ConfigTest {
  private static final Duration DAY = Duration.ofDays(1);
  private static final Duration NANO = Duration.ofNanos(1);

  private static StoreError error(ThrowingCallable call) {
    return Answers.error(call);
  }

  // ---- defaults
  // ----------------------------------------------------------------------------------

  @Test
  void defaultsAreTheValuesOfTheSpec() {
    LockConfig c = LockConfig.DEFAULTS;

    assertThat(c.maxLocksPerFile()).isEqualTo(1000);
    assertThat(c.maxLocksPerClient()).isEqualTo(10_000);
    assertThat(c.maxLocksTotal()).isEqualTo(100_000);
    assertThat(c.maxWaitersPerFile()).isEqualTo(100);
    assertThat(c.maxOwnerIdBytes()).isEqualTo(1024);
    assertThat(c.maxConnectionsPerAdapter()).isEqualTo(10_000);
    assertThat(c.lockTimeout()).isEqualTo(Duration.ofSeconds(60));
    assertThat(c.leaseTime()).isEqualTo(Duration.ofSeconds(90));
    assertThat(c.gracePeriod()).isEqualTo(Duration.ofSeconds(90));
    assertThat(c.storeRetryInterval()).isEqualTo(Duration.ofSeconds(1));
    assertThat(c.fairness()).isEqualTo(LockConfig.Fairness.FIFO);
  }

  @Test
  void builderStartsFromTheDefaults() {
    assertThat(LockConfig.builder().build()).isEqualTo(LockConfig.DEFAULTS);
  }

  @Test
  void managerWithoutConfigurationUsesTheDefaults() {
    try (LockManager m = LockManagers.builder().scheduler(new ManualScheduler()).build()) {
      assertThat(m.config()).isEqualTo(LockConfig.DEFAULTS);
    }
  }

  // ---- invalid durations
  // -------------------------------------------------------------------------

  static Stream<Arguments> invalidDurations() {
    return Stream.of(
        bad("lockTimeout", b -> b.lockTimeout(Duration.ofSeconds(-1))),
        bad("lockTimeout", b -> b.lockTimeout(Duration.ZERO)),
        bad("lockTimeout", b -> b.lockTimeout(Duration.ofNanos(999_999))),
        bad("lockTimeout", b -> b.lockTimeout(DAY.plus(NANO))),
        bad("lockTimeout", b -> b.lockTimeout(null)),
        bad("leaseTime", b -> b.leaseTime(Duration.ZERO)),
        bad("leaseTime", b -> b.leaseTime(Duration.ofMillis(999))),
        bad("leaseTime", b -> b.leaseTime(Duration.ofSeconds(-90))),
        bad("leaseTime", b -> b.leaseTime(DAY.plusSeconds(1))),
        bad("leaseTime", b -> b.leaseTime(null)),
        bad("gracePeriod", b -> b.gracePeriod(NANO.negated())),
        bad("gracePeriod", b -> b.gracePeriod(DAY.plus(NANO))),
        bad("gracePeriod", b -> b.gracePeriod(Duration.ofDays(365))),
        bad("gracePeriod", b -> b.gracePeriod(null)),
        bad("storeRetryInterval", b -> b.storeRetryInterval(Duration.ZERO)),
        bad("storeRetryInterval", b -> b.storeRetryInterval(Duration.ofMillis(-1))),
        bad("storeRetryInterval", b -> b.storeRetryInterval(Duration.ofHours(1).plus(NANO))),
        bad("storeRetryInterval", b -> b.storeRetryInterval(null)));
  }

  private static Arguments bad(String field, UnaryOperator<LockConfig.Builder> change) {
    return Arguments.of(field, change);
  }

  @ParameterizedTest(name = "{0} #{index}")
  @MethodSource("invalidDurations")
  void invalidDurationIsInvalidArgumentNamingTheField(
      String field, UnaryOperator<LockConfig.Builder> change) {
    StoreError e = error(() -> change.apply(LockConfig.builder()).build());

    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
    assertThat(e.getMessage()).contains("'" + field + "'");
  }

  @Test
  void invalidDurationIsRefusedByTheRecordConstructorToo() {
    StoreError e =
        error(
            () ->
                new LockConfig(
                    1,
                    1,
                    1,
                    1,
                    1,
                    1,
                    Duration.ofSeconds(-1),
                    DAY,
                    DAY,
                    NANO.multipliedBy(1_000_000),
                    LockConfig.Fairness.FIFO));

    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
    assertThat(e.getMessage()).contains("'lockTimeout'");
  }

  @Test
  void invalidDurationMessageSaysWhatIsAllowed() {
    StoreError e = error(() -> LockConfig.builder().leaseTime(Duration.ZERO).build());

    assertThat(e.getMessage()).contains("PT0S").contains("PT1S").contains("PT24H");
  }

  @Test
  void boundaryDurationsAreValid() {
    LockConfig low =
        LockConfig.builder()
            .lockTimeout(Duration.ofMillis(1))
            .leaseTime(Duration.ofSeconds(1))
            .gracePeriod(Duration.ZERO)
            .storeRetryInterval(Duration.ofMillis(1))
            .build();
    LockConfig high =
        LockConfig.builder()
            .lockTimeout(DAY)
            .leaseTime(DAY)
            .gracePeriod(DAY)
            .storeRetryInterval(Duration.ofHours(1))
            .build();

    assertThat(low.lockTimeout()).isEqualTo(Duration.ofMillis(1));
    assertThat(low.gracePeriod()).isZero();
    assertThat(high.lockTimeout()).isEqualTo(DAY);
    assertThat(high.storeRetryInterval()).isEqualTo(Duration.ofHours(1));
  }

  @Test
  void anyLimitValueIsValidAndNonPositiveMeansDisabled() {
    LockConfig c =
        LockConfig.builder()
            .maxLocksPerFile(0)
            .maxLocksPerClient(-1)
            .maxLocksTotal(Integer.MIN_VALUE)
            .maxWaitersPerFile(0)
            .maxOwnerIdBytes(-7)
            .maxConnectionsPerAdapter(Integer.MAX_VALUE)
            .build();

    assertThat(c.maxLocksPerFile()).isZero();
    assertThat(c.maxLocksTotal()).isEqualTo(Integer.MIN_VALUE);
    assertThat(c.maxConnectionsPerAdapter()).isEqualTo(Integer.MAX_VALUE);
  }

  // ---- fairness
  // ----------------------------------------------------------------------------------

  @Test
  void nullFairnessIsRefusedByTheBuilder() {
    Throwable t = catchThrowable(() -> LockConfig.builder().fairness(null).build());

    assertThat(t).isNotNull().hasMessageContaining("fairness");
  }

  @Test
  void nullFairnessIsInvalidArgumentInTheRecord() {
    LockConfig d = LockConfig.DEFAULTS;
    StoreError e =
        error(
            () ->
                new LockConfig(
                    d.maxLocksPerFile(),
                    d.maxLocksPerClient(),
                    d.maxLocksTotal(),
                    d.maxWaitersPerFile(),
                    d.maxOwnerIdBytes(),
                    d.maxConnectionsPerAdapter(),
                    d.lockTimeout(),
                    d.leaseTime(),
                    d.gracePeriod(),
                    d.storeRetryInterval(),
                    null));

    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
    assertThat(e.getMessage()).contains("'fairness'");
  }

  // ---- round trip
  // --------------------------------------------------------------------------------

  @Test
  void toBuilderRoundTripsEveryField() {
    LockConfig c = LockConfigs.everyFieldSet();

    LockConfig copy = c.toBuilder().build();

    assertThat(copy).isEqualTo(c).isNotSameAs(c);
    assertThat(copy.maxLocksPerFile()).isEqualTo(7);
    assertThat(copy.maxLocksPerClient()).isEqualTo(8);
    assertThat(copy.maxLocksTotal()).isEqualTo(9);
    assertThat(copy.maxWaitersPerFile()).isEqualTo(10);
    assertThat(copy.maxOwnerIdBytes()).isEqualTo(11);
    assertThat(copy.maxConnectionsPerAdapter()).isEqualTo(12);
    assertThat(copy.lockTimeout()).isEqualTo(Duration.ofSeconds(13));
    assertThat(copy.leaseTime()).isEqualTo(Duration.ofSeconds(14));
    assertThat(copy.gracePeriod()).isEqualTo(Duration.ofSeconds(15));
    assertThat(copy.storeRetryInterval()).isEqualTo(Duration.ofMillis(16));
    assertThat(copy.fairness()).isEqualTo(LockConfig.Fairness.BARGING);
  }

  @Test
  void toBuilderChangesOnlyWhatIsSet() {
    LockConfig c = LockConfig.DEFAULTS.toBuilder().maxWaitersPerFile(5).build();

    assertThat(c.maxWaitersPerFile()).isEqualTo(5);
    assertThat(c.toBuilder().maxWaitersPerFile(100).build()).isEqualTo(LockConfig.DEFAULTS);
    assertThat(LockConfig.DEFAULTS.maxWaitersPerFile()).as("defaults untouched").isEqualTo(100);
  }

  @Test
  void failedBuildLeavesTheBuilderUsable() {
    LockConfig.Builder b = LockConfig.builder().lockTimeout(Duration.ZERO);
    error(b::build);

    assertThat(b.lockTimeout(Duration.ofSeconds(5)).build().lockTimeout())
        .isEqualTo(Duration.ofSeconds(5));
  }

  // ---- the manager's configuration
  // ---------------------------------------------------------------

  @Test
  void managerReportsAndReplacesItsConfiguration() {
    LockConfig first = LockConfig.builder().maxLocksPerFile(7).build();
    try (LockManager m =
        LockManagers.builder().scheduler(new ManualScheduler()).config(first).build()) {
      assertThat(m.config()).isEqualTo(first);

      LockConfig second = first.toBuilder().fairness(LockConfig.Fairness.BARGING).build();
      m.reconfigure(second);

      assertThat(m.config()).isEqualTo(second);
    }
  }

  @Test
  void reconfigureWithNullIsInvalidArgumentAndKeepsTheConfiguration() {
    try (LockManager m = LockManagers.builder().scheduler(new ManualScheduler()).build()) {
      assertThat(error(() -> m.reconfigure(null)).code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
      assertThat(m.config()).isEqualTo(LockConfig.DEFAULTS);
    }
  }

  @Test
  void managersBuilderOwnerIdShortcutKeepsTheRestOfTheConfiguration() {
    LockConfig c = LockConfig.builder().maxLocksTotal(42).build();
    try (LockManager m =
        LockManagers.builder()
            .scheduler(new ManualScheduler())
            .config(c)
            .maxOwnerIdBytes(16)
            .build()) {
      assertThat(m.config()).isEqualTo(c.toBuilder().maxOwnerIdBytes(16).build());
    }
  }

  @Test
  void nullConfigurationIsRefusedByTheManagersBuilder() {
    Throwable t = catchThrowable(() -> LockManagers.builder().config(null));

    assertThat(t).isNotNull().hasMessageContaining("config");
  }
}
