package org.dittofs.metadata.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.annotation.Annotation;
import java.net.ServerSocket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.dittofs.metadata.Share;
import org.dittofs.metadata.errors.ErrorCode;
import org.dittofs.metadata.errors.StoreError;
import org.dittofs.metadata.lock.LockingMode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.osgi.service.jdbc.DataSourceFactory;
import org.postgresql.osgi.PGDataSourceFactory;

/**
 * The DS component outside a framework: constructed as SCR would, with pgjdbc's own
 * DataSourceFactory and a configuration, against the test server.
 */
@ExtendWith(PostgresServer.class)
class PostgresStoreComponentTest {
  private final DataSourceFactory factory = new PGDataSourceFactory();
  private final List<LogRecord> log = new CopyOnWriteArrayList<>();
  private final Logger logger = Logger.getLogger(PostgresStoreComponent.PID);
  private final Handler capture =
      new Handler() {
        @Override
        public void publish(LogRecord record) {
          log.add(record);
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };

  @BeforeEach
  void captureLog() {
    logger.setUseParentHandlers(false);
    logger.addHandler(capture);
  }

  @AfterEach
  void releaseLog() {
    logger.removeHandler(capture);
    logger.setUseParentHandlers(true);
  }

  @Test
  void activatesOnTheDataSourceFactoryAndCloses() {
    String url = PostgresServer.url("component");
    PostgresStoreComponent c =
        new PostgresStoreComponent(factory, config(url, PostgresServer.user(), "ignored", 2));
    assertThat(c.type()).isEqualTo("postgres");
    c.inTransaction(
        tx -> {
          tx.putShare(new Share("export", LockingMode.ADVISORY));
          return null;
        });
    assertThat(c.inTransaction(tx -> tx.getShare("export").isPresent()).booleanValue()).isTrue();
    c.deactivate();
    assertThatThrownBy(c::begin)
        .isInstanceOfSatisfying(
            StoreError.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.STORE_UNAVAILABLE));
    assertThat(lines(Level.SEVERE)).isEmpty();
    assertThat(lines(Level.ALL)).noneMatch(l -> l.contains("ignored"));
  }

  @Test
  void wrongKindOfUrlFailsActivationWithOneLine() {
    assertThatThrownBy(
            () -> new PostgresStoreComponent(factory, config("jdbc:mysql://db/x", "u", "", 2)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(PostgresStoreComponent.PID);
    assertThat(lines(Level.SEVERE))
        .singleElement()
        .asString()
        .contains(PostgresStoreComponent.PID, "url", "jdbc:mysql://db/x");
  }

  @Test
  void badPoolSizeFailsActivation() {
    assertThatThrownBy(
            () ->
                new PostgresStoreComponent(
                    factory, config(PostgresServer.url("component"), "u", "", 0)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(lines(Level.SEVERE)).singleElement().asString().contains("pool.size", "at least 1");
  }

  @Test
  void unreachableServerFailsActivationWithoutLoggingSecrets() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    String url = "jdbc:postgresql://127.0.0.1:" + closedPort + "/x?password=url-secret";
    assertThatThrownBy(
            () -> new PostgresStoreComponent(factory, config(url, "u", "config-secret", 1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageNotContaining("secret");
    assertThat(lines(Level.SEVERE))
        .singleElement()
        .asString()
        .contains(PostgresStoreComponent.PID, "127.0.0.1:" + closedPort)
        .doesNotContain("secret");
  }

  private List<String> lines(Level atLeast) {
    return log.stream()
        .filter(r -> r.getLevel().intValue() >= atLeast.intValue())
        .map(LogRecord::getMessage)
        .toList();
  }

  private static PostgresStoreComponent.Config config(
      String url, String user, String password, int poolSize) {
    return new PostgresStoreComponent.Config() {
      @Override
      public Class<? extends Annotation> annotationType() {
        return PostgresStoreComponent.Config.class;
      }

      @Override
      public String url() {
        return url;
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
      public int pool_size() {
        return poolSize;
      }

      @Override
      public int service_ranking() {
        return 0;
      }
    };
  }
}
