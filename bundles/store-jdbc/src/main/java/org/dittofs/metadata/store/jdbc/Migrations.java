package org.dittofs.metadata.store.jdbc;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32;
import javax.sql.DataSource;
import org.dittofs.metadata.errors.ErrorCode;
import org.dittofs.metadata.errors.StoreError;

/**
 * Versioned schema migrations in the style of Flyway, applied when a store opens. Flyway itself
 * finds scripts by scanning the class path, which does not work inside an OSGi bundle, so this
 * runner is given its scripts by name instead:
 *
 * <ul>
 *   <li>Scripts are resources {@code migrations/V<n>__<description>.sql} beside this class, listed
 *       in {@link #SCRIPTS} in version order. A new schema change is a new script and a new entry;
 *       an applied script is never edited (its checksum is recorded and checked).
 *   <li>The table {@code schema_version} records each applied version with its description and
 *       CRC32 checksum.
 *   <li>At start every script not yet recorded is applied, in order, each in its own transaction
 *       together with its {@code schema_version} row. PostgreSQL runs DDL transactionally, so a
 *       failed script leaves nothing; H2 commits DDL implicitly, so scripts are written to be
 *       re-runnable ({@code IF NOT EXISTS}). Concurrent starters serialize on {@link
 *       Dialect#lockSchema}.
 *   <li>A database whose schema is newer than the newest script, or whose recorded checksum differs
 *       from the script's, is refused: this code would not understand it.
 * </ul>
 *
 * <p>Script format: statements end with {@code ;} at the end of a line; lines starting with {@code
 * --} are comments.
 */
public final class Migrations {
  /** The store's migrations, oldest first (PostgreSQL has more: {@link Dialect#scripts}). */
  public static final List<String> SCRIPTS = List.of("V1__init.sql");

  private static final Pattern NAME = Pattern.compile("V([0-9]+)__([A-Za-z0-9_]+)\\.sql");

  private final Dialect dialect;
  private final List<Script> scripts;

  /** The runner for the dialect's scripts ({@link Dialect#scripts}). */
  public Migrations(Dialect dialect) {
    this(dialect, dialect.scripts());
  }

  Migrations(Dialect dialect, List<String> names) {
    this.dialect = dialect;
    this.scripts = new ArrayList<>();
    int previous = 0;
    for (String name : names) {
      Script s = Script.load(name);
      if (s.version <= previous) {
        throw new IllegalArgumentException("migration " + name + " is out of order");
      }
      previous = s.version;
      scripts.add(s);
    }
  }

  /** The newest schema version this runner knows. */
  public int latestVersion() {
    return scripts.isEmpty() ? 0 : scripts.get(scripts.size() - 1).version;
  }

  /**
   * Brings the database to {@link #latestVersion()}.
   *
   * @return the number of scripts applied (0 for an up-to-date database)
   * @throws StoreError STORE_UNAVAILABLE if the database cannot be reached, IO_ERROR if a script
   *     fails or the database's schema is newer than or differs from these scripts
   */
  public int apply(DataSource dataSource) {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        return applyAll(c);
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      } finally {
        c.setAutoCommit(true);
      }
    } catch (SQLException e) {
      throw dialect.failure("schema migration", e);
    }
  }

  private int applyAll(Connection c) throws SQLException {
    dialect.lockSchema(c);
    try (Statement s = c.createStatement()) {
      s.execute(
          "CREATE TABLE IF NOT EXISTS schema_version ("
              + "version INTEGER NOT NULL PRIMARY KEY, "
              + "description VARCHAR(200) NOT NULL, "
              + "checksum BIGINT NOT NULL, "
              + "installed_at_millis BIGINT NOT NULL)");
    }
    c.commit();
    int applied = 0;
    for (Script script : scripts) {
      dialect.lockSchema(c);
      Long recorded = recordedChecksum(c, script.version);
      if (recorded == null) {
        script.run(c);
        applied++;
      } else if (recorded != script.checksum) {
        throw refuse(
            "migration V" + script.version + " was changed after it was applied to this database");
      }
      c.commit();
    }
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT MAX(version) FROM schema_version")) {
      int newest = rs.next() ? rs.getInt(1) : 0;
      if (newest > latestVersion()) {
        throw refuse(
            "the database schema is version "
                + newest
                + ", newer than this store's "
                + latestVersion()
                + "; use a newer DittoFS");
      }
    }
    c.commit();
    return applied;
  }

  private static Long recordedChecksum(Connection c, int version) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("SELECT checksum FROM schema_version WHERE version = ?")) {
      ps.setInt(1, version);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getLong(1) : null;
      }
    }
  }

  private StoreError refuse(String why) {
    return new StoreError(ErrorCode.IO_ERROR, dialect.storeType() + " store: " + why);
  }

  /** One migration script, loaded and split into statements. */
  private record Script(int version, String description, long checksum, List<String> statements) {

    static Script load(String name) {
      Matcher m = NAME.matcher(name);
      if (!m.matches()) {
        throw new IllegalArgumentException("not a migration name: " + name);
      }
      String text;
      try (InputStream in = Migrations.class.getResourceAsStream("migrations/" + name)) {
        if (in == null) {
          throw new IllegalStateException("migration " + name + " is missing from the jar");
        }
        text = new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("\r\n", "\n");
      } catch (IOException e) {
        throw new IllegalStateException("cannot read migration " + name, e);
      }
      CRC32 crc = new CRC32();
      crc.update(text.getBytes(StandardCharsets.UTF_8));
      return new Script(Integer.parseInt(m.group(1)), m.group(2), crc.getValue(), split(text));
    }

    static List<String> split(String text) {
      List<String> out = new ArrayList<>();
      StringBuilder current = new StringBuilder();
      for (String line : text.split("\n")) {
        String t = line.strip();
        if (t.isEmpty() || t.startsWith("--")) {
          continue;
        }
        current.append(line).append('\n');
        if (t.endsWith(";")) {
          String statement = current.toString().strip();
          out.add(statement.substring(0, statement.length() - 1));
          current.setLength(0);
        }
      }
      if (!current.toString().isBlank()) {
        throw new IllegalStateException("a migration ends without ';': " + current);
      }
      return out;
    }

    void run(Connection c) throws SQLException {
      try (Statement s = c.createStatement()) {
        for (String statement : statements) {
          s.execute(statement);
        }
      }
      try (PreparedStatement ps =
          c.prepareStatement(
              "INSERT INTO schema_version (version, description, checksum, installed_at_millis)"
                  + " VALUES (?, ?, ?, ?)")) {
        ps.setInt(1, version);
        ps.setString(2, description);
        ps.setLong(3, checksum);
        ps.setLong(4, System.currentTimeMillis());
        ps.executeUpdate();
      }
    }
  }
}
