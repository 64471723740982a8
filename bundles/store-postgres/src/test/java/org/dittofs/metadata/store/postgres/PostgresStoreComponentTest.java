package org.dittofs.metadata.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.annotation.Annotation;
import java.net.ServerSocket;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import org.dittofs.metadata.Share;
import org.dittofs.metadata.errors.ErrorCode;
import org.dittofs.metadata.errors.StoreError;
import org.dittofs.metadata.lock.LockingMode;
import org.dittofs.metadata.spi.MetadataStore;
import org.dittofs.metadata.store.jdbc.FakeRegistry;
import org.dittofs.metadata.store.testkit.LogCapture;
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
  private final FakeRegistry registry = new FakeRegistry();
  private LogCapture log;

  @BeforeEach
  void captureLog() {
    log = new LogCapture(PostgresStoreComponent.PID);
  }

  @AfterEach
  void releaseLog() {
    log.close();
  }

  @Test
  void activatesOnTheDataSourceFactoryAndCloses() {
    String url = PostgresServer.url("component");
    PostgresStoreComponent c = component(config(url, PostgresServer.user(), "ignored", 2));
    MetadataStore store = c.store();
    assertThat(store.type()).isEqualTo("postgres");
    assertThat(registry.live()).containsExactly(store);
    assertThat(registry.properties(store))
        .containsEntry("store.type", "postgres")
        .doesNotContainKey(".password");
    store.inTransaction(
        tx -> {
          tx.putShare(new Share("export", LockingMode.ADVISORY));
          return null;
        });
    assertThat(store.inTransaction(tx -> tx.getShare("export").isPresent()).booleanValue())
        .isTrue();
    c.deactivate();
    assertThat(registry.live()).isEmpty();
    assertThatThrownBy(store::begin)
        .isInstanceOfSatisfying(
            StoreError.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.STORE_UNAVAILABLE));
    assertThat(log.lines(Level.SEVERE)).isEmpty();
    assertThat(log.lines(Level.ALL)).noneMatch(l -> l.contains("ignored"));
  }

  @Test
  void wrongKindOfUrlFailsActivationWithOneLine() {
    assertThatThrownBy(() -> component(config("jdbc:mysql://db/x", "u", "", 2)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(PostgresStoreComponent.PID);
    assertThat(log.lines(Level.SEVERE))
        .singleElement()
        .asString()
        .contains(PostgresStoreComponent.PID, "url", "jdbc:mysql://db/x");
  }

  @Test
  void badPoolSizeFailsActivation() {
    assertThatThrownBy(() -> component(config(PostgresServer.url("component"), "u", "", 0)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(log.lines(Level.SEVERE))
        .singleElement()
        .asString()
        .contains("pool.size", "at least 1");
  }

  @Test
  void unreachableServerFailsActivationWithoutLoggingSecrets() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    String url = "jdbc:postgresql://127.0.0.1:" + closedPort + "/x?password=url-secret";
    assertThatThrownBy(() -> component(config(url, "u", "config-secret", 1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageNotContaining("secret");
    assertThat(log.lines(Level.SEVERE))
        .singleElement()
        .asString()
        .contains(PostgresStoreComponent.PID, "127.0.0.1:" + closedPort)
        .doesNotContain("secret");
  }

  @Test
  void aMalformedUrlOrAnUnreachableServerForARunningStoreIsRefusedAndTheStoreStays()
      throws Exception {
    String url = PostgresServer.url("component");
    PostgresStoreComponent c = component(config(url, PostgresServer.user(), "", 2));
    MetadataStore store = c.store();

    c.modified(config("jdbc:postgresql//no-colon", PostgresServer.user(), "", 2), Map.of());
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    c.modified(
        config("jdbc:postgresql://127.0.0.1:" + closedPort + "/x", "u", "wrong-secret", 1),
        Map.of());

    assertThat(c.store()).isSameAs(store);
    assertThat(registry.live()).containsExactly(store);
    assertThat(store.inTransaction(tx -> tx.listShares()).size()).isNotNegative(); // still open
    List<String> severe = log.lines(Level.SEVERE);
    assertThat(severe).hasSize(2);
    assertThat(severe.get(0))
        .contains(PostgresStoreComponent.PID, "url", "jdbc:postgresql//no-colon", "stays");
    assertThat(severe.get(1))
        .contains(PostgresStoreComponent.PID, "127.0.0.1:" + closedPort, "stays in service");
    assertThat(log.lines(Level.ALL)).noneMatch(l -> l.contains("secret"));
    c.deactivate();
  }

  @Test
  void aNewDatabaseIsRegisteredBeforeTheOldOneIsUnregistered() {
    PostgresStoreComponent c =
        component(config(PostgresServer.url("component"), PostgresServer.user(), "", 2));
    MetadataStore old = c.store();
    List<Integer> liveAtUnregister = new java.util.ArrayList<>();
    registry.onUnregister = gone -> liveAtUnregister.add(registry.live().size());

    c.modified(
        config(PostgresServer.url("component-moved"), PostgresServer.user(), "", 3), Map.of());

    assertThat(c.store()).isNotSameAs(old);
    assertThat(liveAtUnregister).containsExactly(2);
    assertThat(registry.live()).containsExactly(c.store());
    assertThatThrownBy(old::begin).isInstanceOf(StoreError.class);
    c.deactivate();
  }

  private PostgresStoreComponent component(PostgresStoreComponent.Config config) {
    return new PostgresStoreComponent(
        factory, config, Map.of("url", "u", ".password", "secret-in-config"), registry);
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
