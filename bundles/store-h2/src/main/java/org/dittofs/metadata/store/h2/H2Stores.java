package org.dittofs.metadata.store.h2;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import javax.sql.ConnectionPoolDataSource;
import org.dittofs.metadata.errors.StoreErrors;
import org.dittofs.metadata.store.jdbc.Dialect;
import org.dittofs.metadata.store.jdbc.JdbcMetadataStore;
import org.h2.jdbcx.JdbcConnectionPool;
import org.h2.jdbcx.JdbcDataSource;

/**
 * Opens H2 metadata stores outside OSGi (tests, benchmarks, embedding); the OSGi component uses the
 * same pieces with the driver's DataSourceFactory.
 *
 * <p>The database is the file {@code dittofs.mv.db} in the given directory, opened with {@code
 * WRITE_DELAY=0}: a commit is written to disk before it returns, so a process kill cannot lose an
 * acknowledged commit (H2's default delays writes by about half a second). One process at a time
 * may open a directory; inside one process, stores opened on the same directory share the database.
 */
public final class H2Stores {
  /** Name of the database inside the store directory. */
  public static final String DATABASE = "dittofs";

  /** Default user of a new database. */
  public static final String DEFAULT_USER = "sa";

  /** Connections kept by a store's pool. */
  static final int MAX_CONNECTIONS = 16;

  private H2Stores() {}

  /**
   * Opens (creating if needed) the store in {@code directory} with the default user and an empty
   * password.
   *
   * @throws org.dittofs.metadata.errors.StoreError INVALID_ARGUMENT if the directory cannot be
   *     created or written; IO_ERROR if the database cannot be opened or migrated
   */
  public static JdbcMetadataStore open(Path directory) {
    return open(directory, DEFAULT_USER, "");
  }

  /**
   * Opens (creating if needed) the store in {@code directory}; a new database gets {@code user} as
   * its administrator.
   *
   * @throws org.dittofs.metadata.errors.StoreError INVALID_ARGUMENT if the directory cannot be
   *     created or written; IO_ERROR if the database cannot be opened (wrong password, in use by
   *     another process) or migrated
   */
  public static JdbcMetadataStore open(Path directory, String user, String password) {
    String problem = prepareDirectory(directory);
    if (problem != null) {
      throw StoreErrors.invalidArgument("H2 store directory " + directory + ": " + problem);
    }
    JdbcDataSource ds = new JdbcDataSource();
    ds.setURL(url(directory));
    ds.setUser(user);
    ds.setPassword(password);
    return open(ds);
  }

  /** Opens a store over H2 connections from {@code source}, pooled. */
  static JdbcMetadataStore open(ConnectionPoolDataSource source) {
    JdbcConnectionPool pool = JdbcConnectionPool.create(source);
    pool.setMaxConnections(MAX_CONNECTIONS);
    return JdbcMetadataStore.open(pool, Dialect.H2, pool::dispose);
  }

  /** The JDBC URL of the store in {@code directory}. */
  public static String url(Path directory) {
    return "jdbc:h2:file:"
        + directory.toAbsolutePath().normalize().resolve(DATABASE)
        + ";WRITE_DELAY=0";
  }

  /**
   * Creates the directory if needed and checks it can hold the database.
   *
   * @return why it cannot, or null if it can
   */
  static String prepareDirectory(Path directory) {
    if (directory == null || directory.toString().isBlank()) {
      return "no directory given";
    }
    if (directory.toString().indexOf(';') >= 0) {
      return "a ';' in the path cannot be part of an H2 URL";
    }
    try {
      Files.createDirectories(directory);
    } catch (IOException | InvalidPathException e) {
      return "cannot be created (" + e + ")";
    }
    if (!Files.isDirectory(directory) || !Files.isWritable(directory)) {
      return "is not a writable directory";
    }
    return null;
  }
}
