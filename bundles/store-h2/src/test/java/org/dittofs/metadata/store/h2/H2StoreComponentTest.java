package org.dittofs.metadata.store.h2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.annotation.Annotation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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
import org.h2.util.OsgiDataSourceFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.service.jdbc.DataSourceFactory;

/**
 * The DS component outside a framework: constructed as SCR would, with H2's own DataSourceFactory,
 * a configuration and a fake service registry that records what the component registers.
 */
class H2StoreComponentTest {
  private final DataSourceFactory factory = new OsgiDataSourceFactory(new org.h2.Driver());

  @TempDir Path dir;

  private LogCapture log;
  private final FakeRegistry registry = new FakeRegistry();

  @BeforeEach
  void captureLog() {
    log = new LogCapture(H2StoreComponent.PID);
  }

  @AfterEach
  void releaseLog() {
    log.close();
  }

  @Test
  void activatesOnTheDataSourceFactoryRegistersAndCloses() {
    H2StoreComponent c = component(config(dir.toString(), "sa", ""));
    MetadataStore store = c.store();
    assertThat(store.type()).isEqualTo("h2");
    assertThat(registry.live()).containsExactly(store);
    assertThat(registry.properties(store))
        .containsEntry("store.type", "h2")
        .containsEntry("service.ranking", 0)
        .doesNotContainKey(".password");
    store.inTransaction(
        tx -> {
          tx.putShare(new Share("export", LockingMode.MANDATORY));
          return null;
        });
    c.deactivate();
    assertThat(registry.live()).isEmpty();
    assertThatThrownBy(store::begin)
        .isInstanceOfSatisfying(
            StoreError.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.STORE_UNAVAILABLE));

    H2StoreComponent again = component(config(dir.toString(), "sa", ""));
    try {
      assertThat(
              again.store().inTransaction(tx -> tx.getShare("export").isPresent()).booleanValue())
          .isTrue();
    } finally {
      again.deactivate();
    }
  }

  @Test
  void aRankingChangeOnlyUpdatesTheServiceProperties() {
    H2StoreComponent c = component(config(dir.toString(), "sa", ""));
    MetadataStore store = c.store();
    c.modified(config(dir.toString(), "sa", "", 7), properties(dir.toString(), 7));
    assertThat(c.store()).isSameAs(store);
    assertThat(registry.live()).containsExactly(store);
    assertThat(registry.properties(store)).containsEntry("service.ranking", 7);
    assertThat(registry.registrations).hasSize(1);
    c.deactivate();
  }

  @Test
  void anUnusableNewDirectoryIsRefusedWithOneLineAndTheStoreStaysInService() throws Exception {
    H2StoreComponent c = component(config(dir.toString(), "sa", ""));
    MetadataStore store = c.store();
    Path file = Files.createFile(dir.resolve("a-file"));
    String bad = file.resolve("sub").toString();

    c.modified(config(bad, "sa", ""), properties(bad, 0));

    assertThat(c.store()).isSameAs(store);
    assertThat(registry.live()).containsExactly(store);
    assertThat(store.inTransaction(tx -> tx.listShares()).size()).isZero(); // still open
    assertThat(log.lines(Level.SEVERE))
        .singleElement()
        .asString()
        .contains(H2StoreComponent.PID, "directory", "a-file", "stays in service");
    c.deactivate();
  }

  @Test
  void aWrongPasswordForANewDirectoryIsRefusedWithoutLoggingIt() {
    Path other = dir.resolve("other");
    component(config(other.toString(), "admin", "first-secret")).deactivate();
    registry.registrations.clear();
    H2StoreComponent c = component(config(dir.resolve("one").toString(), "sa", ""));
    MetadataStore store = c.store();

    c.modified(config(other.toString(), "admin", "second-secret"), properties(other.toString(), 0));

    assertThat(c.store()).isSameAs(store);
    assertThat(log.lines(Level.SEVERE)).singleElement().asString().contains("stays in service");
    assertThat(log.lines(Level.ALL)).noneMatch(l -> l.contains("secret"));
    c.deactivate();
  }

  @Test
  void aNewDirectoryIsRegisteredBeforeTheOldStoreIsUnregisteredAndTheOldIsClosedLast() {
    H2StoreComponent c = component(config(dir.resolve("a").toString(), "sa", ""));
    MetadataStore a = c.store();
    a.inTransaction(
        tx -> {
          tx.putShare(new Share("export", LockingMode.ADVISORY));
          return null;
        });
    List<String> seenAtUnregister = new ArrayList<>();
    registry.onUnregister =
        gone -> {
          // what the metadata service does here: read the departing store while it is unbound
          seenAtUnregister.add(registry.live().size() + " live");
          seenAtUnregister.add(
              "share " + gone.inTransaction(tx -> tx.getShare("export").isPresent()));
        };
    String b = dir.resolve("b").toString();

    c.modified(config(b, "sa", ""), properties(b, 0));

    MetadataStore next = c.store();
    assertThat(next).isNotSameAs(a);
    assertThat(seenAtUnregister).containsExactly("2 live", "share true");
    assertThat(registry.live()).containsExactly(next);
    assertThatThrownBy(a::begin).isInstanceOf(StoreError.class); // closed after the hand-over
    assertThat(log.lines(Level.WARNING)).isEmpty();
    c.deactivate();
  }

  @Test
  void unusableDirectoryFailsActivationWithOneLine() throws Exception {
    Path file = Files.createFile(dir.resolve("a-file"));
    assertThatThrownBy(() -> component(config(file.toString(), "sa", "")))
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
    component(config(dir.toString(), "admin", "first-secret")).deactivate();
    assertThatThrownBy(() -> component(config(dir.toString(), "admin", "second-secret")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageNotContaining("second-secret");
    assertThat(log.lines(Level.SEVERE)).singleElement().asString().doesNotContain("secret");
    assertThat(log.lines(Level.ALL)).noneMatch(l -> l.contains("secret"));
    assertThat(registry.live()).isEmpty();
  }

  private H2StoreComponent component(H2StoreComponent.Config config) {
    return new H2StoreComponent(factory, config, properties(config.directory(), 0), registry);
  }

  /** The configuration properties as DS passes them (the password included: it is private). */
  private static Map<String, Object> properties(String directory, int ranking) {
    return Map.of(
        "directory",
        directory,
        "user",
        "sa",
        ".password",
        "secret-in-config",
        "service.ranking",
        ranking,
        "component.name",
        H2StoreComponent.class.getName());
  }

  private static H2StoreComponent.Config config(String directory, String user, String password) {
    return config(directory, user, password, 0);
  }

  private static H2StoreComponent.Config config(
      String directory, String user, String password, int ranking) {
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
        return ranking;
      }
    };
  }
}
