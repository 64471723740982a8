package org.dittofs.metadata.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.dittofs.metadata.lock.host.LockConfig;

/**
 * Property-based tests of the metadata service's configuration reading ({@link ServiceSettings}):
 * any value of any type in any field is either used or refused with exactly one line naming the
 * PID, the field and the value, keeping the value in force; nothing is ever thrown. 2,500 tries per
 * property, 10,000 configurations in all.
 */
class ServiceSettingsProperties {
  /** The whole-number fields, their range, and how to read them back from the result. */
  private record Field(
      String name, long min, long max, java.util.function.Function<ServiceSettings, Long> read) {}

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
          LockConfig.builder()
              .maxLocksPerFile(7)
              .maxLocksPerClient(8)
              .maxLocksTotal(9)
              .maxWaitersPerFile(10)
              .maxOwnerIdBytes(11)
              .maxConnectionsPerAdapter(12)
              .lockTimeout(Duration.ofSeconds(13))
              .leaseTime(Duration.ofSeconds(14))
              .gracePeriod(Duration.ofSeconds(15))
              .storeRetryInterval(Duration.ofMillis(16))
              .fairness(LockConfig.Fairness.BARGING)
              .build(),
          Duration.ofSeconds(17),
          "(store.type=h2)",
          List.of());

  @Property(tries = 2500)
  void anyValueOfAnyTypeIsUsedOrRefusedWithOneLineKeepingTheValueInForce(
      @ForAll("configurations") Map<String, Object> config) {
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
        assertThat(actual).as("%s = %s used", f.name(), raw).isEqualTo(expected);
      } else {
        refused++;
        assertThat(actual)
            .as("%s = %s refused: in force kept", f.name(), raw)
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
      if (!valid) {
        refused++;
        assertThat(read.lock().fairness()).isEqualTo(LockConfig.Fairness.BARGING);
      }
    }
    Object target = config.get("store.target");
    if (target != null && only(target) == null) {
      refused++; // a list of several values (or none)
    }
    assertThat(read.problems()).as("problems of %s", config).hasSize(refused);
    for (String line : read.problems()) {
      assertThat(line).contains(ServiceSettings.PID).doesNotContain("\n", "\r");
    }
  }

  @Property(tries = 2500)
  void validConfigurationsAreAppliedWithoutAProblem(
      @ForAll("validConfigurations") Map<String, Object> config) {
    ServiceSettings read = ServiceSettings.read(config, PREVIOUS);

    assertThat(read.problems()).isEmpty();
    for (Field f : FIELDS) {
      assertThat(f.read().apply(read))
          .as(f.name())
          .isEqualTo(Long.parseLong(config.get(f.name()).toString().trim()));
    }
    assertThat(read.target()).isEqualTo(config.get("store.target").toString().trim());
  }

  @Property(tries = 2500)
  void readingTwiceGivesTheSameSettingsAndTheSameLines(
      @ForAll("configurations") Map<String, Object> config) {
    ServiceSettings once = ServiceSettings.read(config, PREVIOUS);
    ServiceSettings twice = ServiceSettings.read(config, PREVIOUS);
    assertThat(twice).isEqualTo(once);
  }

  @Property(tries = 2500)
  void aStoreTargetOfAnyTypeIsReadAsTextOrRefused(@ForAll("anyValue") Object target) {
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

  @Provide
  Arbitrary<Map<String, Object>> configurations() {
    Arbitrary<String> keys =
        Arbitraries.oneOf(
            Arbitraries.of(FIELDS).map(Field::name),
            Arbitraries.of("fairness", "store.target", "service.pid", "unknown.field"));
    return Arbitraries.maps(keys, anyValue()).ofMaxSize(14);
  }

  @Provide
  Arbitrary<Object> anyValue() {
    return Arbitraries.oneOf(
        Arbitraries.integers().map(i -> (Object) i),
        Arbitraries.longs().map(l -> (Object) l),
        Arbitraries.longs().between(-5, 100_000).map(l -> (Object) (" " + l + " ")),
        Arbitraries.strings().ofMaxLength(30).map(s -> (Object) s),
        Arbitraries.of(
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
        Arbitraries.doubles().map(d -> (Object) d),
        Arbitraries.of(Double.NaN, Double.POSITIVE_INFINITY, 5.0, -0.0, 1.5).map(d -> (Object) d),
        Arbitraries.of(Boolean.TRUE, Boolean.FALSE).map(b -> (Object) b),
        Arbitraries.integers().between(-3, 3000).list().ofMaxSize(3).map(l -> (Object) l.toArray()),
        Arbitraries.strings().numeric().ofMaxLength(4).list().ofMaxSize(3).map(l -> (Object) l));
  }

  @Provide
  Arbitrary<Map<String, Object>> validConfigurations() {
    Arbitrary<Long> limit = Arbitraries.longs().between(Integer.MIN_VALUE, Integer.MAX_VALUE);
    Arbitrary<Long> seconds = Arbitraries.longs().between(1, 86_400);
    Arbitrary<Long> millis = Arbitraries.longs().between(1, 3_600_000);
    return Combinators.combine(
            limit.list().ofSize(6), seconds.list().ofSize(4), millis, Arbitraries.of(true, false))
        .as(
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
  }
}
