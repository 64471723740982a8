package org.dittofs.metadata.itests;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Listens to the project bundles' log (they log through SLF4J: in native Felix its jdk14 binding
 * hands the lines to java.util.logging, where this class is a handler; in Karaf pax-logging hands
 * them to {@link KarafLogTap}, a PaxAppender service) for the line each store swap writes, and for
 * warnings and errors. A swap line reads {@code metadata store memory -> h2 in 12 ms, 340 lock
 * records copied}: it carries the time lock traffic was held.
 */
final class SwapLog extends Handler implements AutoCloseable {
  private static final Pattern SWAP =
      Pattern.compile("metadata store (\\S+) -> (\\S+) in (\\d+) ms, (\\d+) lock records copied");

  /** One swap as the service reported it. */
  record Swap(String from, String to, long millis, int records) {
    @Override
    public String toString() {
      return from + " -> " + to + ": traffic held " + millis + " ms, " + records + " records";
    }
  }

  private final Logger logger; // held strongly: JUL keeps loggers weakly
  private final AutoCloseable karaf;
  private final List<Swap> swaps = new ArrayList<>();
  private final List<String> problems = new ArrayList<>();
  private final List<String> bundles = new ArrayList<>();
  private final List<String> lines = new ArrayList<>();

  private SwapLog(Logger logger) {
    this.logger = logger;
    this.karaf = karafTap(this);
  }

  /** In Karaf, a {@link KarafLogTap} (loaded only there: it implements pax-logging's SPI). */
  private static AutoCloseable karafTap(SwapLog log) {
    if (System.getProperty("karaf.home") == null) {
      return null;
    }
    try {
      return (AutoCloseable)
          Class.forName(SwapLog.class.getPackageName() + ".KarafLogTap")
              .getDeclaredMethod("attach", SwapLog.class)
              .invoke(null, log);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot listen to Karaf's log", e);
    }
  }

  /** Starts listening to the {@code org.dittofs.metadata} loggers and their children. */
  static SwapLog attach() {
    Logger l = Logger.getLogger("org.dittofs.metadata");
    if (l.getLevel() == null || l.getLevel().intValue() > Level.INFO.intValue()) {
      l.setLevel(Level.INFO);
    }
    SwapLog log = new SwapLog(l);
    log.setLevel(Level.ALL);
    l.addHandler(log);
    return log;
  }

  @Override
  public void publish(LogRecord r) {
    record(
        r.getLevel().intValue() >= Level.WARNING.intValue(),
        r.getLevel().toString(),
        r.getLoggerName(),
        r.getMessage(),
        null);
  }

  /**
   * One line of a project logger.
   *
   * @param problem whether it is a warning or an error
   * @param bundle the bundle the log system attributes the line to, or null if it does not say
   */
  synchronized void record(
      boolean problem, String level, String loggerName, String message, String bundle) {
    if (message == null) {
      return;
    }
    if (bundle != null) {
      bundles.add(bundle);
    }
    lines.add(level + " " + loggerName + ": " + message);
    Matcher m = SWAP.matcher(message);
    if (m.find()) {
      swaps.add(
          new Swap(
              m.group(1), m.group(2), Long.parseLong(m.group(3)), Integer.parseInt(m.group(4))));
    } else if (problem) {
      problems.add(level + " " + loggerName + ": " + message);
    }
  }

  /** The swaps reported so far, in order. */
  synchronized List<Swap> swaps() {
    return List.copyOf(swaps);
  }

  /** Warnings and errors logged so far. */
  synchronized List<String> problems() {
    return List.copyOf(problems);
  }

  /** Every line so far, as {@code LEVEL logger: message}. */
  synchronized List<String> lines() {
    return List.copyOf(lines);
  }

  /** The bundles the log system attributed the lines to (Karaf only), one per line. */
  synchronized List<String> bundles() {
    return List.copyOf(bundles);
  }

  /** Waits until {@code n} swaps were reported. */
  List<Swap> awaitSwaps(int n) {
    ItestSupport.await(n + " store swaps reported, have " + swaps(), () -> swaps().size() >= n);
    return swaps();
  }

  @Override
  public void flush() {}

  @Override
  public void close() {
    logger.removeHandler(this);
    if (karaf != null) {
      try {
        karaf.close();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
  }
}
