package org.dittofs.metadata.internal;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** Captures what a System.Logger (backed by java.util.logging) writes, instead of printing it. */
final class LogCapture extends Handler implements AutoCloseable {
  private final Logger logger;
  private final boolean parentHandlers;
  final List<LogRecord> records = new CopyOnWriteArrayList<>();

  LogCapture(String name) {
    logger = Logger.getLogger(name);
    parentHandlers = logger.getUseParentHandlers();
    logger.setUseParentHandlers(false);
    logger.addHandler(this);
  }

  List<String> lines(Level atLeast) {
    return records.stream()
        .filter(r -> r.getLevel().intValue() >= atLeast.intValue())
        .map(LogRecord::getMessage)
        .toList();
  }

  @Override
  public void publish(LogRecord record) {
    records.add(record);
  }

  @Override
  public void flush() {}

  @Override
  public void close() {
    logger.removeHandler(this);
    logger.setUseParentHandlers(parentHandlers);
  }
}
