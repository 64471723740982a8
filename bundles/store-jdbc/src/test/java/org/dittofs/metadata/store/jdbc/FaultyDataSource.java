package org.dittofs.metadata.store.jdbc;

import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * A data source over a real one that fails on demand: the next {@code n} commits throw an
 * SQLException with a chosen SQLState before reaching the database (so nothing is committed), or
 * getting a connection fails. It can also give every connection a chosen isolation level.
 */
public final class FaultyDataSource implements DataSource {
  private final DataSource real;
  private final AtomicInteger failingCommits = new AtomicInteger();
  private volatile String commitState;
  private volatile String connectState;
  private volatile Integer isolation;
  private final AtomicInteger commits = new AtomicInteger();

  public FaultyDataSource(DataSource real) {
    this.real = real;
  }

  /** The next {@code n} commits fail with {@code sqlState}. */
  public FaultyDataSource failCommits(int n, String sqlState) {
    commitState = sqlState;
    failingCommits.set(n);
    return this;
  }

  /** Every getConnection fails with {@code sqlState} (null: stop failing). */
  public FaultyDataSource failConnections(String sqlState) {
    connectState = sqlState;
    return this;
  }

  /** Every new connection gets this transaction isolation level ({@link Connection} constants). */
  public FaultyDataSource isolation(int level) {
    isolation = level;
    return this;
  }

  /** Commits attempted so far, failed ones included. */
  public int commitCalls() {
    return commits.get();
  }

  @Override
  public Connection getConnection() throws SQLException {
    if (connectState != null) {
      throw new SQLException("injected connection failure", connectState);
    }
    Connection c = real.getConnection();
    if (isolation != null) {
      c.setTransactionIsolation(isolation);
    }
    return wrap(c);
  }

  @Override
  public Connection getConnection(String user, String password) throws SQLException {
    return getConnection();
  }

  private Connection wrap(Connection c) {
    return (Connection)
        Proxy.newProxyInstance(
            Connection.class.getClassLoader(),
            new Class<?>[] {Connection.class},
            (proxy, method, args) -> {
              if (method.getName().equals("commit")) {
                commits.incrementAndGet();
                if (failingCommits.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                  throw new SQLException("injected commit failure", commitState);
                }
              }
              try {
                return method.invoke(c, args);
              } catch (InvocationTargetException e) {
                throw e.getCause();
              }
            });
  }

  @Override
  public PrintWriter getLogWriter() throws SQLException {
    return real.getLogWriter();
  }

  @Override
  public void setLogWriter(PrintWriter out) throws SQLException {
    real.setLogWriter(out);
  }

  @Override
  public void setLoginTimeout(int seconds) throws SQLException {
    real.setLoginTimeout(seconds);
  }

  @Override
  public int getLoginTimeout() throws SQLException {
    return real.getLoginTimeout();
  }

  @Override
  public Logger getParentLogger() {
    return Logger.getGlobal();
  }

  @Override
  public <T> T unwrap(Class<T> iface) throws SQLException {
    return real.unwrap(iface);
  }

  @Override
  public boolean isWrapperFor(Class<?> iface) throws SQLException {
    return real.isWrapperFor(iface);
  }
}
