package org.dittofs.metadata.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.dittofs.metadata.lock.testing.Fuzzing.text;
import static org.dittofs.metadata.lock.testing.Fuzzing.withEdges;
import static org.quicktheories.generators.SourceDSL.arbitrary;
import static org.quicktheories.generators.SourceDSL.booleans;
import static org.quicktheories.generators.SourceDSL.doubles;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;
import static org.quicktheories.generators.SourceDSL.maps;
import static org.quicktheories.generators.SourceDSL.strings;

import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.dittofs.metadata.lock.host.LockConfig;
import org.dittofs.metadata.lock.testing.Fuzzing;
import org.dittofs.metadata.lock.testing.LockConfigs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

/**
 * Property-based tests (QuickTheories) of the metadata service's configuration reading ({@link
 * ServiceSettings}): any value of any type in any field is either used or refused with exactly one
 * line naming the PID, the field and the value, keeping the value in force; nothing is ever thrown.
 * Values: ints and longs of the whole range and their edges, small numbers as text with blanks,
 * doubles (NaN, infinities, -0.0, whole and not), booleans, garbage text of any script, numbers in
 * other notations, LDAP filters, one- and many-element arrays and lists. 2,500 inputs per property
 * (10,000 configurations in all), or {@code -Dfuzz.examples}; seed and replay: {@link Fuzzing}.
 */
class ServiceSettingsFuzzTest {
  private static final int EXAMPLES = 2_500;
  private static final AtomicLong INPUTS = new AtomicLong();

  /** The whole-number fields, their range, and how to read them back from the result. */
  private record Field(String name, long min, long max, Function<ServiceSettings, Long> read) {}

  private static final List<Field> FIELDS =
      List.of(
          new Field(
              "max.locks.per.file",
              Integer.MIN_VALUE,
              Integer.MAX_VALUE,
              s -> (long) s.lock().maxLocksPerFile()),
          new Field(
              "max.locks.per.client",
              Integer.MIN_VALUE,
              Integer.MAX_VALUE,
              s -> (long) s.lock().maxLocksPerClient()),
          new Field(
              "max.locks.total",
              Integer.MIN_VALUE,
              Integer.MAX_VALUE,
              s -> (long) s.lock().maxLocksTotal()),
          new Field(
              "max.waiters.per.file",
              Integer.MIN_VALUE,
              Integer.MAX_VALUE,
              s -> (long) s.lock().maxWaitersPerFile()),
          new Field(
              "max.owner.id.bytes",
              Integer.MIN_VALUE,
              Integer.MAX_VALUE,
              s -> (long) s.lock().maxOwnerIdBytes()),
          new Field(
              "max.connections.per.adapter",
              Integer.MIN_VALUE,
              Integer.MAX_VALUE,
              s -> (long) s.lock().maxConnectionsPerAdapter()),
          new Field("lock.timeout.seconds", 1, 86_400, s -> s.lock().lockTimeout().toSeconds()),
          new Field("lease.time.seconds", 1, 86_400, s -> s.lock().leaseTime().toSeconds()),
          new Field("grace.period.seconds", 0, 86_400, s -> s.lock().gracePeriod().toSeconds()),
          new Field(
              "store.retry.interval.millis",
              1,
              3_600_000,
              s -> s.lock().storeRetryInterval().toMillis()),
          new Field("sweep.interval.seconds", 0, 86_400, s -> s.sweep().toSeconds()));

  /** A configuration in force before the change: every field different from its default. */
  private static final ServiceSettings PREVIOUS =
      new ServiceSettings(
          LockConfigs.everyFieldSet(), Duration.ofSeconds(17), "(store.type=h2)", List.of());

  @AfterAll
  static void report() {
    System.out.println("service settings fuzzing: " + INPUTS.get() + " inputs");
  }

  @Test
  void anyValueOfAnyTypeIsUsedOrRefusedWithOneLineKeepingTheValueInForce() {
    Map<String, Integer> reached = new TreeMap<>();
    long ran =
        Fuzzing.check(EXAMPLES, configurations(), config -> judgeAnyConfiguration(config, reached));
    INPUTS.addAndGet(ran);
    System.out.println("service settings: values used and refused per field: " + reached);
    if (ran >= EXAMPLES) { // a shorter run (-Dfuzz.examples) may miss some
      for (Field f : FIELDS) {
        assertThat(reached)
            .as("the inputs reach use and refusal of every field")
            .containsKeys(f.name() + " used", f.name() + " refused");
      }
    }
  }

  private static void judgeAnyConfiguration(
      Map<String, Object> config, Map<String, Integer> reached) {
    ServiceSettings read = ServiceSettings.read(config, PREVIOUS);

    int refused = 0;
    for (Field f : FIELDS) {
      Object raw = config.get(f.name());
      Long expected = raw == null ? null : wholeIn(raw, f.min(), f.max());
      long actual = f.read().apply(read);
      if (raw == null) {
        assertThat(actual)
            .as("%s absent: the default", f.name())
            .isEqualTo(f.read().apply(ServiceSettings.DEFAULTS));
      } else if (expected != null) {
        reached.merge(f.name() + " used", 1, Integer::sum);
        assertThat(actual).as("%s = %s used", f.name(), show(raw)).isEqualTo(expected);
      } else {
        reached.merge(f.name() + " refused", 1, Integer::sum);
        refused++;
        assertThat(actual)
            .as("%s = %s refused: in force kept", f.name(), show(raw))
            .isEqualTo(f.read().apply(PREVIOUS));
        assertThat(read.problems())
            .as("one line for %s", f.name())
            .filteredOn(l -> l.contains("field '" + f.name() + "'"))
            .hasSize(1);
      }
    }
    Object fairness = config.get("fairness");
    if (fairness != null) {
      String name =
          String.valueOf(fairness instanceof Object[] a && a.length == 1 ? a[0] : fairness).trim();
      boolean valid = name.equalsIgnoreCase("FIFO") || name.equalsIgnoreCase("BARGING");
      if (valid) {
        assertThat(read.lock().fairness().name()).isEqualToIgnoringCase(name);
      } else {
        refused++;
        assertThat(read.lock().fairness()).isEqualTo(LockConfig.Fairness.BARGING);
      }
    }
    Object target = config.get("store.target");
    if (target != null && only(target) == null) {
      refused++; // a list of several values (or none)
    }
    assertThat(read.problems()).as("problems of %s", show(config)).hasSize(refused);
    for (String line : read.problems()) {
      assertThat(line).contains(ServiceSettings.PID).doesNotContain("\n", "\r");
    }
  }

  @Test
  void validConfigurationsAreAppliedWithoutAProblem() {
    INPUTS.addAndGet(
        Fuzzing.check(
            EXAMPLES,
            validConfigurations(),
            config -> {
              ServiceSettings read = ServiceSettings.read(config, PREVIOUS);

              assertThat(read.problems()).isEmpty();
              for (Field f : FIELDS) {
                assertThat(f.read().apply(read))
                    .as(f.name())
                    .isEqualTo(Long.parseLong(config.get(f.name()).toString().trim()));
              }
              assertThat(read.target()).isEqualTo(config.get("store.target").toString().trim());
            }));
  }

  @Test
  void readingTwiceGivesTheSameSettingsAndTheSameLines() {
    INPUTS.addAndGet(
        Fuzzing.check(
            EXAMPLES,
            configurations(),
            config -> {
              ServiceSettings once = ServiceSettings.read(config, PREVIOUS);
              ServiceSettings twice = ServiceSettings.read(config, PREVIOUS);
              assertThat(twice).isEqualTo(once);
            }));
  }

  @Test
  void aStoreTargetOfAnyTypeIsReadAsTextOrRefused() {
    INPUTS.addAndGet(
        Fuzzing.check(
            EXAMPLES,
            anyValue(),
            target -> {
              Map<String, Object> config = new HashMap<>();
              config.put("store.target", target);
              ServiceSettings read = ServiceSettings.read(config, PREVIOUS);
              if (target instanceof List<?> l && l.size() != 1
                  || target instanceof Object[] a && a.length != 1) {
                assertThat(read.problems()).singleElement().asString().contains("'store.target'");
                assertThat(read.target()).isEqualTo(PREVIOUS.target());
              } else {
                assertThat(read.problems()).isEmpty();
                assertThat(read.target()).isNotNull();
              }
            }));
  }

  /** A value unwrapped from a one-element array or list; null for a list of another size. */
  private static Object only(Object raw) {
    if (raw instanceof Object[] a) {
      return a.length == 1 ? a[0] : null;
    }
    if (raw instanceof List<?> l) {
      return l.size() == 1 ? l.get(0) : null;
    }
    return raw;
  }

  /** The value a whole-number field takes from {@code raw}, or null if it must be refused. */
  private static Long wholeIn(Object raw, long min, long max) {
    Object v = only(raw);
    if (v == null) {
      return null;
    }
    Long n = null;
    if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
      n = ((Number) v).longValue();
    } else if (v instanceof Double d) {
      n =
          d == Math.rint(d) && !d.isInfinite() && Math.abs(d) < 9.0e18
              ? (long) d.doubleValue()
              : null;
    } else if (v instanceof String s) {
      try {
        String t = s.trim();
        n = Long.parseLong(t.startsWith("+") ? t.substring(1) : t);
      } catch (NumberFormatException e) {
        n = null;
      }
    }
    return n != null && n >= min && n <= max ? n : null;
  }

  /** A value as a failure report shows it: arrays by content, text quoted. */
  private static String show(Object value) {
    if (value instanceof Object[] a) {
      return Arrays.deepToString(a);
    }
    if (value instanceof String s) {
      return '"' + s + '"';
    }
    if (value instanceof Map<?, ?> m) {
      return m.entrySet().stream()
          .map(e -> e.getKey() + "=" + show(e.getValue()))
          .collect(Collectors.joining(", ", "{", "}"));
    }
    return String.valueOf(value);
  }

  // ---------------------------------------------------------------- generators

  /** Up to 14 of the fields, the fairness, the target and two fields the service does not know. */
  static Gen<Map<String, Object>> configurations() {
    Gen<String> keys =
        Generate.oneOf(
            arbitrary().pick(FIELDS.stream().map(Field::name).toList()),
            arbitrary().pick("fairness", "store.target", "service.pid", "unknown.field"));
    return maps().of(keys, anyValue()).ofSizeBetween(0, 14).describedAs(c -> show(c));
  }

  static Gen<Object> anyValue() {
    Gen<Object> value =
        Generate.oneOf(
            withEdges(
                    integers().all(),
                    List.of(Integer.MIN_VALUE, Integer.MIN_VALUE + 1, -2, -1, 0, 1, 2))
                .mix(integers().between(-1_000, 100_000))
                .map(i -> (Object) i),
            withEdges(
                    longs().all(),
                    List.of(
                        Long.MIN_VALUE,
                        Long.MAX_VALUE,
                        Integer.MIN_VALUE - 1L,
                        Integer.MAX_VALUE + 1L,
                        (long) Integer.MAX_VALUE,
                        0L,
                        -1L))
                .mix(longs().between(-1_000, 4_000_000))
                .map(l -> (Object) l),
            longs().between(-5, 100_000).map(l -> (Object) (" " + l + " ")),
            text(30).map(s -> (Object) s),
            arbitrary()
                .pick(
                    "lots",
                    "",
                    "  ",
                    "FIFO",
                    "barging",
                    "1e3",
                    "0x10",
                    "+5",
                    "-0",
                    "NaN",
                    "(store.type=h2)",
                    "(store.type=h2",
                    "99999999999999999999",
                    "5\nmax.locks.total = 1")
                .map(s -> (Object) s),
            doubles()
                .any()
                .mix(longs().between(-10_000_000, 10_000_000).map(l -> l / 100.0))
                .map(d -> (Object) d),
            arbitrary()
                .pick(
                    Double.NaN,
                    Double.POSITIVE_INFINITY,
                    Double.NEGATIVE_INFINITY,
                    5.0,
                    -0.0,
                    1.5,
                    Double.MIN_VALUE,
                    Double.MAX_VALUE,
                    9.0e18,
                    -9.3e18)
                .map(d -> (Object) d),
            booleans().all().map(b -> (Object) b),
            lists()
                .of(integers().between(-3, 3000))
                .ofSizeBetween(0, 3)
                .map(l -> (Object) l.toArray()),
            lists()
                .of(strings().betweenCodePoints('0', '9').ofLengthBetween(0, 4))
                .ofSizeBetween(0, 3)
                .map(l -> (Object) l));
    return value.describedAs(ServiceSettingsFuzzTest::show);
  }

  /** Every whole-number field in range (as a number or as text with blanks) and a target. */
  static Gen<Map<String, Object>> validConfigurations() {
    Gen<Long> limit =
        withEdges(
            longs().between(Integer.MIN_VALUE, Integer.MAX_VALUE),
            List.of((long) Integer.MIN_VALUE, -1L, 0L, 1L, (long) Integer.MAX_VALUE));
    Gen<Long> seconds = withEdges(longs().between(1, 86_400), List.of(1L, 2L, 86_400L));
    Gen<Long> millis = withEdges(longs().between(1, 3_600_000), List.of(1L, 3_600_000L));
    Gen<Map<String, Object>> valid =
        lists()
            .of(limit)
            .ofSize(6)
            .zip(
                lists().of(seconds).ofSize(4),
                millis,
                booleans().all(),
                (limits, secs, ms, asText) -> {
                  Map<String, Object> m = new HashMap<>();
                  for (int i = 0; i < 6; i++) {
                    long v = limits.get(i);
                    m.put(FIELDS.get(i).name(), asText ? " " + v : (Object) (int) v);
                  }
                  m.put("lock.timeout.seconds", asText ? secs.get(0) + " " : (Object) secs.get(0));
                  m.put("lease.time.seconds", secs.get(1));
                  m.put("grace.period.seconds", String.valueOf(secs.get(2) - 1));
                  m.put("store.retry.interval.millis", ms);
                  m.put("sweep.interval.seconds", secs.get(3) - 1);
                  m.put("store.target", " (store.type=postgres) ");
                  return m;
                });
    return valid.describedAs(c -> show(c));
  }
}
