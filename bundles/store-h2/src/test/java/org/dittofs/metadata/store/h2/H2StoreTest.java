package org.dittofs.metadata.store.h2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import javax.sql.DataSource;
import org.dittofs.metadata.errors.ErrorCode;
import org.dittofs.metadata.errors.StoreError;
import org.dittofs.metadata.lock.ByteRange;
import org.dittofs.metadata.lock.FileHandle;
import org.dittofs.metadata.lock.spi.LockQuery;
import org.dittofs.metadata.lock.spi.PersistedLock;
import org.dittofs.metadata.store.jdbc.Dialect;
import org.dittofs.metadata.store.jdbc.JdbcMetadataStore;
import org.dittofs.metadata.store.jdbc.JdbcStoreContract;
import org.dittofs.metadata.store.jdbc.Records;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The JDBC store contract on an H2 file database in a fresh directory, and what is H2's own. */
class H2StoreTest extends JdbcStoreContract {
  @TempDir Path dir;

  @Override
  protected Dialect dialect() {
    return Dialect.H2;
  }

  @Override
  protected DataSource rawDataSource() {
    JdbcDataSource ds = new JdbcDataSource();
    ds.setURL(H2Stores.url(dir));
    ds.setUser(H2Stores.DEFAULT_USER);
    return ds;
  }

  @Override
  protected JdbcMetadataStore openStore() {
    return H2Stores.open(dir);
  }

  @Test
  void commitsAreWrittenWithoutDelay() throws SQLException {
    assertThat(H2Stores.url(dir)).startsWith("jdbc:h2:file:").endsWith(";WRITE_DELAY=0");
    try (Connection c = rawDataSource().getConnection();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT SETTING_VALUE FROM INFORMATION_SCHEMA.SETTINGS"
                    + " WHERE SETTING_NAME = 'WRITE_DELAY'")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isEqualTo("0");
    }
    assertThat(dir.resolve(H2Stores.DATABASE + ".mv.db")).exists();
  }

  @Test
  void nulAndUnpairedSurrogatesRoundTrip() {
    String odd = "nul\u0000and\uD800lone";
    PersistedLock r = Records.lock(odd, "export", FileHandle.of("f"), odd, odd, "nlm");
    store.inTransaction(
        tx -> {
          tx.locks().putLock(r);
          return null;
        });
    List<PersistedLock> found =
        store.inTransaction(tx -> tx.locks().listLocks(LockQuery.all().withOwner(odd)));
    assertThat(found).containsExactly(r);
  }

  @Test
  void directoryThatIsAFileIsRefused() throws Exception {
    Path file = Files.createFile(dir.resolve("not-a-directory"));
    assertThatThrownBy(() -> H2Stores.open(file))
        .isInstanceOfSatisfying(
            StoreError.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
              assertThat(e.getMessage()).contains("not-a-directory");
            });
    assertThatThrownBy(() -> H2Stores.open(dir.resolve("semi;colon")))
        .isInstanceOfSatisfying(StoreError.class, e -> assertThat(e.getMessage()).contains("';'"));
  }

  @Test
  void missingDirectoriesAreCreated() {
    Path nested = dir.resolve("a/b/c");
    try (JdbcMetadataStore s = H2Stores.open(nested)) {
      s.inTransaction(
          tx -> {
            tx.locks().putLock(Records.lock("1.1", "o", ByteRange.whole()));
            return null;
          });
    }
    try (JdbcMetadataStore s = H2Stores.open(nested)) {
      assertThat(s.inTransaction(tx -> tx.locks().getLock("1.1").isPresent()).booleanValue())
          .isTrue();
    }
  }

  @Test
  void wrongPasswordIsAnErrorWithoutThePassword() {
    Path other = dir.resolve("secured");
    H2Stores.open(other, "admin", "right-password").close();
    assertThatThrownBy(() -> H2Stores.open(other, "admin", "wrong-password"))
        .isInstanceOfSatisfying(
            StoreError.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.IO_ERROR);
              assertThat(e.getMessage()).doesNotContain("wrong-password");
            });
    try (JdbcMetadataStore s = H2Stores.open(other, "admin", "right-password")) {
      assertThat(s.type()).isEqualTo("h2");
    }
  }
}
