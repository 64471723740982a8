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
 * Listens to the metadata bundles' log (they log through {@code System.Logger}, which the JDK backs
 * with java.util.logging when nothing else is installed) for the line each store swap writes, and
 * for warnings and errors. A swap line reads {@code metadata store memory -> h2 in 12 ms, 340 lock
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
  private final List<Swap> swaps = new ArrayList<>();
  private final List<String> problems = new ArrayList<>();

  private SwapLog(Logger logger) {
    this.logger = logger;
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
  public synchronized void publish(LogRecord r) {
    String msg = r.getMessage();
    if (msg == null) {
      return;
    }
    Matcher m = SWAP.matcher(msg);
    if (m.find()) {
      swaps.add(
          new Swap(
              m.group(1), m.group(2), Long.parseLong(m.group(3)), Integer.parseInt(m.group(4))));
    } else if (r.getLevel().intValue() >= Level.WARNING.intValue()) {
      problems.add(r.getLevel() + " " + r.getLoggerName() + ": " + msg);
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
  }
}
