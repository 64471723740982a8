package org.dittofs.metadata.metrics.testing;

import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict reader of the Prometheus text exposition format 0.0.4, for tests that scrape {@code
 * /metrics} the way Prometheus does. Every line must be a {@code # HELP}, a {@code # TYPE} or a
 * sample; a sample must belong to a family whose TYPE came before it (with the suffixes its type
 * allows); label names and values follow the grammar (escaped {@code \\}, {@code \"}, {@code \n});
 * a series may appear once. Anything else fails with the line number and the reason.
 */
public final class PrometheusText {
  private static final String NAME = "[a-zA-Z_:][a-zA-Z0-9_:]*";
  private static final Pattern HELP = Pattern.compile("# HELP (" + NAME + ") (.*)");
  private static final Pattern TYPE =
      Pattern.compile("# TYPE (" + NAME + ") (counter|gauge|histogram|summary|untyped)");
  private static final Pattern SAMPLE =
      Pattern.compile("(" + NAME + ")(\\{(.*)\\})? (\\S+)( -?[0-9]+)?");
  private static final Pattern LABEL =
      Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\\\n]|\\\\[\\\\\"n])*)\"(,|$)");
  private static final Map<String, Set<String>> SUFFIXES =
      Map.of(
          "counter", Set.of("", "_total", "_created"),
          "gauge", Set.of(""),
          "histogram", Set.of("_bucket", "_sum", "_count", "_created"),
          "summary", Set.of("", "_sum", "_count", "_created"),
          "untyped", Set.of(""));

  private final Map<String, String> types;
  private final Map<String, Double> series;

  private PrometheusText(Map<String, String> types, Map<String, Double> series) {
    this.types = Collections.unmodifiableMap(types);
    this.series = Collections.unmodifiableMap(series);
  }

  /**
   * Parses a whole scrape.
   *
   * @throws IllegalArgumentException naming the line and what is wrong with it
   */
  public static PrometheusText parse(String text) {
    if (!text.isEmpty() && !text.endsWith("\n")) {
      throw new IllegalArgumentException("the scrape does not end with a newline");
    }
    Map<String, String> types = new LinkedHashMap<>();
    Map<String, String> helps = new HashMap<>();
    Map<String, Double> series = new LinkedHashMap<>();
    String[] lines = text.isEmpty() ? new String[0] : text.split("\n", -1);
    for (int i = 0; i < lines.length - 1; i++) {
      String line = lines[i];
      int n = i + 1;
      Matcher m;
      if ((m = HELP.matcher(line)).matches()) {
        if (helps.put(m.group(1), m.group(2)) != null) {
          throw bad(n, line, "a second HELP for " + m.group(1));
        }
      } else if ((m = TYPE.matcher(line)).matches()) {
        if (types.put(m.group(1), m.group(2)) != null) {
          throw bad(n, line, "a second TYPE for " + m.group(1));
        }
      } else if ((m = SAMPLE.matcher(line)).matches()) {
        String name = m.group(1);
        String family = family(name, types);
        if (family == null) {
          throw bad(n, line, "a sample of no family declared before it (or a wrong suffix)");
        }
        String key = name + labels(m.group(3), n, line);
        double value = value(m.group(4), n, line);
        if (series.put(key, value) != null) {
          throw bad(n, line, "the series " + key + " appears twice");
        }
      } else {
        throw bad(n, line, "neither HELP, TYPE nor a sample");
      }
    }
    return new PrometheusText(types, series);
  }

  /** The type of each family, in order of appearance. */
  public Map<String, String> types() {
    return types;
  }

  /** Every series ({@code name{label="value",...}} with labels sorted by name) and its value. */
  public Map<String, Double> series() {
    return series;
  }

  /**
   * The value of one series.
   *
   * @param labels alternating label names and values
   */
  public Optional<Double> value(String name, String... labels) {
    Map<String, String> l = new TreeMap<>();
    for (int i = 0; i + 1 < labels.length; i += 2) {
      l.put(labels[i], labels[i + 1]);
    }
    return Optional.ofNullable(series.get(name + render(l)));
  }

  /** The value of one series, failing if it is absent. */
  public double require(String name, String... labels) {
    return value(name, labels)
        .orElseThrow(
            () ->
                new AssertionError(
                    "no series " + name + " " + String.join(",", labels) + " in " + series));
  }

  private static String family(String sample, Map<String, String> types) {
    for (Map.Entry<String, String> t : types.entrySet()) {
      for (String suffix : SUFFIXES.get(t.getValue())) {
        if (sample.equals(t.getKey() + suffix)) {
          return t.getKey();
        }
      }
    }
    return null;
  }

  private static String labels(String text, int n, String line) {
    if (text == null) {
      return "";
    }
    Map<String, String> l = new TreeMap<>();
    Matcher m = LABEL.matcher(text);
    int at = 0;
    while (at < text.length()) {
      if (!m.find(at) || m.start() != at) {
        throw bad(n, line, "malformed labels at '" + text.substring(at) + "'");
      }
      if (l.put(m.group(1), m.group(2)) != null) {
        throw bad(n, line, "label " + m.group(1) + " twice");
      }
      at = m.end();
      if (m.group(3).equals(",") && at == text.length()) {
        throw bad(n, line, "a trailing comma");
      }
    }
    return render(l);
  }

  private static String render(Map<String, String> labels) {
    if (labels.isEmpty()) {
      return "";
    }
    StringBuilder b = new StringBuilder("{");
    labels.forEach((k, v) -> b.append(b.length() > 1 ? "," : "").append(k + "=\"" + v + "\""));
    return b.append('}').toString();
  }

  private static double value(String text, int n, String line) {
    switch (text) {
      case "NaN":
        return Double.NaN;
      case "+Inf":
        return Double.POSITIVE_INFINITY;
      case "-Inf":
        return Double.NEGATIVE_INFINITY;
      default:
        try {
          return Double.parseDouble(text);
        } catch (NumberFormatException e) {
          throw bad(n, line, "value '" + text + "' is not a number");
        }
    }
  }

  private static IllegalArgumentException bad(int n, String line, String why) {
    return new IllegalArgumentException("line " + n + " '" + line + "': " + why);
  }
}
