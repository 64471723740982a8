package org.dittofs.metadata.store.jdbc;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import org.dittofs.metadata.errors.ErrorCode;
import org.dittofs.metadata.errors.StoreError;
import org.dittofs.metadata.spi.MetadataStore;
import org.dittofs.metadata.spi.Transaction;
import org.slf4j.Logger;

/**
 * The {@link MetadataStore} of one configured JDBC store component instance (one H2 directory, one
 * PostgreSQL database): the DS component registers this object as its service at once, and it
 * connects to its database in the background.
 *
 * <ul>
 *   <li>{@link #start}: one attempt at once (a reachable database is open before the service is
 *       used), then, while the database cannot be opened, attempts in the background with a bounded
 *       backoff ({@link #FIRST_RETRY} doubling to {@link #MAX_RETRY}). Until it is open, {@link
 *       #begin} fails with STORE_UNAVAILABLE naming where it connects and why it cannot (the
 *       metadata service keeps retrying its side). One log line per state change: the first failure
 *       (and a failure with another reason), and the moment it is open.
 *   <li>{@link #change}: the same database: nothing to do. Another database while none is open yet
 *       (the first configuration was wrong: a bad URL, an unreachable server): the new one replaces
 *       it and is tried at once. Another database while one is open: refused with one line, the
 *       open one stays in service; moving to another database is a new configuration instance and a
 *       {@code store.target} pointing at it (a hot swap), then deleting the old instance.
 *   <li>{@link #close}: stops the attempts and closes the open database.
 * </ul>
 *
 * <p>Passwords are never logged: the database key compared between configurations is opaque here,
 * and only the {@code where} descriptions and failure messages (written without secrets) are.
 *
 * <p>Concurrency: {@code open}, {@code database} and {@code failure} are volatile (the request path
 * reads them without locking, so a slow attempt never blocks it); they are written, and {@code
 * delay}, {@code attempt}, {@code refused} and {@code closed} read and written, under {@code this};
 * an open attempt runs under the monitor, on the caller's thread for the first and on the store's
 * own daemon thread after.
 */
public final class ConnectingStore implements MetadataStore, AutoCloseable {
  /** First pause between two attempts. */
  public static final Duration FIRST_RETRY = Duration.ofSeconds(1);

  /** Longest pause between two attempts. */
  public static final Duration MAX_RETRY = Duration.ofSeconds(30);

  /**
   * One database: what identifies it (compared between configurations, may hold a password: never
   * shown), where it is (for log lines), and how to open it.
   */
  public record Database(Object key, String where, Supplier<JdbcMetadataStore> opener) {
    public Database {
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(where, "where");
      Objects.requireNonNull(opener, "opener");
    }

    @Override
    public String toString() {
      return where;
    }
  }

  private final String pid;
  private final String type;
  private final Logger log;
  private final ScheduledExecutorService executor;
  private volatile JdbcMetadataStore open;
  private volatile Database database;
  private volatile String failure;
  private Duration delay = FIRST_RETRY;
  private ScheduledFuture<?> attempt;
  private Object refused; // the key of the last database refused while one is open
  private boolean closed;

  /**
   * @param pid the configuration PID of the instance, first word of every log line
   * @param type the store type ({@code h2}, {@code postgres})
   */
  public ConnectingStore(String pid, String type, Logger log) {
    this.pid = pid;
    this.type = type;
    this.log = log;
    this.executor =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "dittofs-" + pid + "-connect");
              t.setDaemon(true);
              return t;
            });
  }

  /** Opens the first database, or keeps trying in the background. */
  public synchronized void start(Database first) {
    database = first;
    tryOpen();
  }

  /** A new configuration's database; see the class comment. Never throws. */
  public synchronized void change(Database next) {
    if (closed || next.key().equals(database.key())) {
      return;
    }
    if (open != null) {
      if (next.key().equals(refused)) {
        return; // logged already
      }
      refused = next.key();
      log.error(
          "configuration "
              + pid
              + ": the database of a store in service does not change ("
              + database.where()
              + " stays in service, "
              + next.where()
              + " is not used); to move to another database create another configuration of"
              + " this store, point store.target at it, then delete this one");
      return;
    }
    database = next;
    refused = null;
    failure = null;
    delay = FIRST_RETRY;
    if (attempt != null) {
      attempt.cancel(false);
      attempt = null;
    }
    tryOpen();
  }

  /** The open database, or null while none is. */
  public JdbcMetadataStore current() {
    return open;
  }

  /** Where the store connects (for messages). */
  public String where() {
    Database db = database;
    return db == null ? "(not configured)" : db.where();
  }

  /** Stops connecting and closes the open database; idempotent. */
  @Override
  public void close() {
    JdbcMetadataStore s;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      if (attempt != null) {
        attempt.cancel(false);
      }
      s = open;
      open = null;
    }
    executor.shutdownNow();
    if (s != null) {
      try {
        s.close();
      } catch (RuntimeException e) {
        log.warn(pid + ": closing " + where() + ": " + e);
      }
    }
  }

  @Override
  public String type() {
    return type;
  }

  @Override
  public Transaction begin() {
    return opened().begin();
  }

  @Override
  public <T> T inTransaction(Function<Transaction, T> work) {
    return opened().inTransaction(work);
  }

  private JdbcMetadataStore opened() {
    JdbcMetadataStore s = open;
    if (s != null) {
      return s;
    }
    String why = failure;
    throw new StoreError(
        ErrorCode.STORE_UNAVAILABLE,
        pid
            + ": the "
            + type
            + " store in "
            + where()
            + " is not open"
            + (why == null ? "" : " (" + why + ")"));
  }

  /** One attempt; on failure the next one is scheduled. Called under the monitor. */
  private void tryOpen() {
    attempt = null;
    if (closed || open != null) {
      return;
    }
    Database db = database;
    try {
      JdbcMetadataStore opened = db.opener().get();
      // logged before it is published: whoever sees the store open (current() reads without the
      // monitor) finds the line already written
      log.info(
          pid + ": " + type + " store open in " + db.where() + (failure == null ? "" : " (again)"));
      open = opened;
      failure = null;
      delay = FIRST_RETRY;
    } catch (RuntimeException e) {
      String why = e.getMessage() == null ? e.toString() : e.getMessage();
      if (!why.equals(failure)) {
        log.error(
            pid
                + ": cannot open the "
                + type
                + " store in "
                + db.where()
                + ": "
                + why
                + "; retrying in the background (up to every "
                + MAX_RETRY.toSeconds()
                + " s) until it opens or the configuration changes");
      }
      failure = why;
      Duration wait = delay;
      Duration doubled = delay.multipliedBy(2);
      delay = doubled.compareTo(MAX_RETRY) > 0 ? MAX_RETRY : doubled;
      attempt = executor.schedule(this::retry, wait.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  private synchronized void retry() {
    tryOpen();
  }
}
