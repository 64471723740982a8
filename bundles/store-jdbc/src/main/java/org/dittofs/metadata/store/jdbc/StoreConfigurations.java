package org.dittofs.metadata.store.jdbc;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.dittofs.metadata.config.ConfigurationValues;
import org.slf4j.Logger;

/**
 * The configurations of one JDBC store component instance, read one after the other: the instance's
 * PID (the factory configuration's {@code service.pid}, e.g. {@code
 * org.dittofs.metadata.store.h2~main}), the values in force, and the problem lines already logged,
 * so that a refused value is one log line, not one per later change. Every configuration is also
 * checked for a {@code service.ranking} that is not a whole number: SCR publishes it as given, and
 * the metadata service then reads it as 0, which the line says.
 *
 * <p>Not thread-safe: SCR calls activate, modified and deactivate of an instance one at a time.
 */
public final class StoreConfigurations {
  private final String factoryPid;
  private final Logger log;
  private final Map<String, String> inForce = new HashMap<>();
  private String pid;
  private List<String> reported = List.of();

  public StoreConfigurations(String factoryPid, Logger log) {
    this.factoryPid = factoryPid;
    this.log = log;
    this.pid = factoryPid;
  }

  /** The PID of an instance: its configuration's {@code service.pid}, else the factory PID. */
  public static String pid(String factoryPid, Map<String, ?> properties) {
    Object p = properties.get("service.pid");
    return p instanceof String s && !s.isBlank() ? s : factoryPid;
  }

  /** A reader of {@code properties} that has checked {@code service.ranking} already. */
  public ConfigurationValues values(Map<String, ?> properties) {
    pid = pid(factoryPid, properties);
    ConfigurationValues v = new ConfigurationValues(pid, properties);
    v.wholeInt("service.ranking", 0, Integer.MIN_VALUE, Integer.MAX_VALUE);
    return v;
  }

  /** The value of {@code field} in force, or {@code fallback} before the first one. */
  public String inForce(String field, String fallback) {
    return inForce.getOrDefault(field, fallback);
  }

  /** Records the value of {@code field} now in force. */
  public void keep(String field, String value) {
    inForce.put(field, value);
  }

  /** Logs the problems of {@code v} that were not logged at the previous configuration. */
  public void log(ConfigurationValues v) {
    List<String> problems = v.problems();
    problems.stream().filter(line -> !reported.contains(line)).forEach(line -> log.error(line));
    reported = problems;
  }
}
