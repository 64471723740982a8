package org.dittofs.metadata.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.dittofs.metadata.errors.ErrorCode;
import org.dittofs.metadata.errors.StoreError;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;

class MigrationsTest {
  private static int databases;

  private static JdbcDataSource memoryDatabase() {
    JdbcDataSource ds = new JdbcDataSource();
    ds.setURL("jdbc:h2:mem:migrations-" + (++databases) + ";DB_CLOSE_DELAY=-1");
    return ds;
  }

  @Test
  void appliesEveryScriptOnceInOrder() throws SQLException {
    JdbcDataSource ds = memoryDatabase();
    Migrations migrations = new Migrations(Dialect.H2, List.of("V1__init.sql", "V2__test.sql"));
    assertThat(migrations.latestVersion()).isEqualTo(2);
    assertThat(migrations.apply(ds)).isEqualTo(2);
    assertThat(migrations.apply(ds)).isZero();
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery("SELECT version, description FROM schema_version ORDER BY version")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(2)).isEqualTo("init");
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(2)).isEqualTo("test");
      assertThat(rs.next()).isFalse();
    }
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT note FROM migration_probe")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isEqualTo("it's; here");
      assertThat(rs.next()).isFalse();
    }
  }

  @Test
  void aLaterScriptAppliesToAnExistingSchema() {
    JdbcDataSource ds = memoryDatabase();
    assertThat(new Migrations(Dialect.H2).apply(ds)).isEqualTo(1);
    assertThat(new Migrations(Dialect.H2, List.of("V1__init.sql", "V2__test.sql")).apply(ds))
        .isEqualTo(1);
    assertThatThrownBy(() -> new Migrations(Dialect.H2).apply(ds))
        .isInstanceOfSatisfying(
            StoreError.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.IO_ERROR);
              assertThat(e.getMessage()).contains("version 2", "newer");
            });
  }

  @Test
  void anEditedScriptIsRefused() throws SQLException {
    JdbcDataSource ds = memoryDatabase();
    new Migrations(Dialect.H2).apply(ds);
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      s.executeUpdate("UPDATE schema_version SET checksum = checksum + 1 WHERE version = 1");
    }
    assertThatThrownBy(() -> new Migrations(Dialect.H2).apply(ds))
        .isInstanceOfSatisfying(
            StoreError.class, e -> assertThat(e.getMessage()).contains("V1", "changed"));
  }

  @Test
  void namesAndOrderAreChecked() {
    assertThatThrownBy(() -> new Migrations(Dialect.H2, List.of("init.sql")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Migrations(Dialect.H2, List.of("V2__test.sql", "V1__init.sql")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("out of order");
    assertThatThrownBy(() -> new Migrations(Dialect.H2, List.of("V3__missing.sql")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("missing");
  }
}
