package org.dittofs.metadata.store.h2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.annotation.Annotation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.logging.Level;
import org.dittofs.metadata.Share;
import org.dittofs.metadata.errors.ErrorCode;
import org.dittofs.metadata.errors.StoreError;
import org.dittofs.metadata.lock.LockingMode;
import org.h2.util.OsgiDataSourceFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.service.jdbc.DataSourceFactory;

/**
 * The DS component outside a framework: constructed as SCR would, with H2's own DataSourceFactory
 * and a configuration.
 */
class H2StoreComponentTest {
  private final DataSourceFactory factory = new OsgiDataSourceFactory(new org.h2.Driver());

  @TempDir Path dir;

  private LogCapture log;

  @BeforeEach
  void captureLog() {
    log = new LogCapture(H2StoreComponent.PID);
  }

  @AfterEach
  void releaseLog() {
    log.close();
  }

  @Test
  void activatesOnTheDataSourceFactoryAndCloses() {
    H2StoreComponent c = new H2StoreComponent(factory, config(dir.toString(), "sa", ""));
    assertThat(c.type()).isEqualTo("h2");
    c.inTransaction(
        tx -> {
          tx.putShare(new Share("export", LockingMode.MANDATORY));
          return null;
        });
    c.deactivate();
    assertThatThrownBy(c::begin)
        .isInstanceOfSatisfying(
            StoreError.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.STORE_UNAVAILABLE));

    H2StoreComponent again = new H2StoreComponent(factory, config(dir.toString(), "sa", ""));
    try {
      assertThat(again.inTransaction(tx -> tx.getShare("export").isPresent()).booleanValue())
          .isTrue();
    } finally {
      again.deactivate();
    }
  }

  @Test
  void unusableDirectoryFailsActivationWithOneLine() throws Exception {
    Path file = Files.createFile(dir.resolve("a-file"));
    assertThatThrownBy(() -> new H2StoreComponent(factory, config(file.toString(), "sa", "")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(H2StoreComponent.PID)
        .hasMessageContaining("directory");
    assertThat(log.lines(Level.SEVERE))
        .singleElement()
        .asString()
        .contains(H2StoreComponent.PID, "directory", "a-file");
  }

  @Test
  void wrongPasswordFailsActivationWithoutLoggingIt() {
    new H2StoreComponent(factory, config(dir.toString(), "admin", "first-secret")).deactivate();
    assertThatThrownBy(
            () -> new H2StoreComponent(factory, config(dir.toString(), "admin", "second-secret")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageNotContaining("second-secret");
    assertThat(log.lines(Level.SEVERE)).singleElement().asString().doesNotContain("secret");
    assertThat(log.lines(Level.ALL)).noneMatch(l -> l.contains("secret"));
  }

  private static H2StoreComponent.Config config(String directory, String user, String password) {
    return new H2StoreComponent.Config() {
      @Override
      public Class<? extends Annotation> annotationType() {
        return H2StoreComponent.Config.class;
      }

      @Override
      public String directory() {
        return directory;
      }

      @Override
      public String user() {
        return user;
      }

      @Override
      public String _password() {
        return password;
      }

      @Override
      public int service_ranking() {
        return 0;
      }
    };
  }
}
