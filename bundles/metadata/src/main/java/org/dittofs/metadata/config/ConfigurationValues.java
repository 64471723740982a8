package org.dittofs.metadata.config;

import java.lang.reflect.Array;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Reads the values of one Config Admin configuration leniently, for the components of this project
 * (the metadata service, the stores) and for hosts that configure them the same way. Every value
 * may arrive with any type: typed by the metatype (an {@code Integer}), written as a string by
 * Karaf's file install ({@code max.locks.per.file = lots}), as a list, or as garbage. A value that
 * cannot be used is never an exception: the caller's fallback (the value in force, or the default)
 * is kept and one problem line is recorded, naming the PID, the field, the value and the reason,
 * e.g.
 *
 * <pre>configuration org.dittofs.metadata.service, field 'max.locks.per.file': 'lots' is not a
 * whole number; keeping 1000</pre>
 *
 * <p>Whole numbers are accepted as any integral {@link Number} or a decimal string (surrounding
 * blanks ignored); a value outside the field's range is refused rather than clamped. Text is any
 * scalar's string form. A single-element array or collection is read as its element (Config Admin
 * tools may wrap scalars). Values of fields whose name starts with a dot ({@code .password}) are
 * never shown in a problem line.
 *
 * <p>Not thread-safe: one reader per configuration change.
 */
public final class ConfigurationValues {
  private static final int SHOWN = 80;

  private final String pid;
  private final Map<String, ?> properties;
  private final List<String> problems = new ArrayList<>();

  /**
   * @param pid the configuration's PID, named in every problem line
   * @param properties the configuration (null: an empty one)
   */
  public ConfigurationValues(String pid, Map<String, ?> properties) {
    this.pid = Objects.requireNonNull(pid, "pid");
    this.properties = properties == null ? Map.of() : properties;
  }

  /** Whether the configuration has a value (of any type) for {@code field}. */
  public boolean has(String field) {
    return properties.get(field) != null;
  }

  /**
   * A whole number in {@code [min, max]}; absent: {@code fallback} without a problem.
   *
   * @param fallback kept when the value is absent or refused
   */
  public long whole(String field, long fallback, long min, long max) {
    Object raw = scalar(field, fallback);
    if (raw == null) {
      return fallback;
    }
    Long v = parseWhole(raw);
    if (v == null) {
      return refuse(field, raw, "is not a whole number", fallback);
    }
    if (v < min || v > max) {
      return refuse(field, raw, "is outside " + min + " to " + max, fallback);
    }
    return v;
  }

  /** {@link #whole} for an {@code int} field. */
  public int wholeInt(String field, int fallback, int min, int max) {
    return (int) whole(field, fallback, min, max);
  }

  /** The text of a scalar value, trimmed; absent: {@code fallback}. */
  public String text(String field, String fallback) {
    Object raw = scalar(field, fallback);
    if (raw == null) {
      return fallback;
    }
    return raw.toString().trim();
  }

  /**
   * The text of a scalar value as given (passwords keep their blanks); absent: {@code fallback}.
   */
  public String secret(String field, String fallback) {
    Object raw = scalar(field, fallback);
    if (raw == null) {
      return fallback;
    }
    return raw instanceof char[] chars ? new String(chars) : raw.toString();
  }

  /** One of the constants of an enumeration, by name, ignoring case; absent: {@code fallback}. */
  public <E extends Enum<E>> E choice(String field, Class<E> type, E fallback) {
    Object raw = scalar(field, fallback);
    if (raw == null) {
      return fallback;
    }
    String name = raw.toString().trim().toUpperCase(Locale.ROOT);
    for (E e : type.getEnumConstants()) {
      if (e.name().equals(name)) {
        return e;
      }
    }
    List<String> names = new ArrayList<>();
    for (E e : type.getEnumConstants()) {
      names.add(e.name());
    }
    return refuse(field, raw, "is not one of " + String.join(", ", names), fallback);
  }

  /**
   * Records a problem found by the caller (a value of the right type that cannot work) and returns
   * {@code fallback}.
   */
  public <T> T refuse(String field, Object value, String reason, T fallback) {
    problems.add(
        "configuration "
            + pid
            + ", field '"
            + field
            + "': "
            + show(field, value)
            + " "
            + reason
            + "; keeping "
            + (field.startsWith(".") ? "the previous value" : String.valueOf(fallback)));
    return fallback;
  }

  /** The problem lines recorded so far, one per refused value, in the order they were read. */
  public List<String> problems() {
    return List.copyOf(problems);
  }

  /**
   * The value of {@code field} unwrapped from a one-element array or collection; null if none, or
   * if it is a list of another size (then refused with {@code fallback}, which the caller returns).
   */
  private Object scalar(String field, Object fallback) {
    Object raw = properties.get(field);
    if (raw == null) {
      return null;
    }
    int n = -1;
    Object only = null;
    if (raw instanceof Collection<?> c) {
      n = c.size();
      only = n == 1 ? c.iterator().next() : null;
    } else if (raw.getClass().isArray() && !(raw instanceof char[])) {
      n = Array.getLength(raw);
      only = n == 1 ? Array.get(raw, 0) : null;
    }
    if (n < 0) {
      return raw;
    }
    if (only == null) {
      refuse(field, raw, "is a list of " + n + " values, not one value", fallback);
    }
    return only;
  }

  private static Long parseWhole(Object raw) {
    if (raw instanceof Byte
        || raw instanceof Short
        || raw instanceof Integer
        || raw instanceof Long) {
      return ((Number) raw).longValue();
    }
    String s = raw.toString().trim();
    if (raw instanceof Number && !(raw instanceof java.math.BigInteger)) {
      try {
        return new BigDecimal(s).longValueExact();
      } catch (ArithmeticException | NumberFormatException e) {
        return null;
      }
    }
    if (s.isEmpty() || s.length() > 20 || !(raw instanceof CharSequence || raw instanceof Number)) {
      return null;
    }
    try {
      return Long.parseLong(s.startsWith("+") ? s.substring(1) : s);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static String show(String field, Object value) {
    if (field.startsWith(".")) {
      return "the value";
    }
    String s;
    if (value != null && value.getClass().isArray() && !(value instanceof char[])) {
      List<String> items = new ArrayList<>();
      for (int i = 0; i < Array.getLength(value); i++) {
        items.add(String.valueOf(Array.get(value, i)));
      }
      s = items.toString();
    } else {
      s = String.valueOf(value);
    }
    // one line: control characters (a newline in a value) are shown escaped
    StringBuilder out = new StringBuilder("'");
    s.codePoints()
        .limit(SHOWN)
        .forEach(
            c -> {
              if (Character.isISOControl(c)) {
                out.append(String.format("\\u%04x", c));
              } else {
                out.appendCodePoint(c);
              }
            });
    if (s.codePointCount(0, s.length()) > SHOWN) {
      out.append("...");
    }
    return out.append('\'').toString();
  }
}
