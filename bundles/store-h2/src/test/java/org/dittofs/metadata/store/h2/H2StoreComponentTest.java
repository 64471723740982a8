package org.dittofs.metadata.store.h2;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.logging.Level;
import org.dittofs.metadata.Share;
import org.dittofs.metadata.lock.LockingMode;
import org.dittofs.metadata.lock.testing.LogCapture;
import org.dittofs.metadata.store.testkit.StoreTestSupport;
import org.h2.util.OsgiDataSourceFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.service.jdbc.DataSourceFactory;

/**
 * The DS component outside a framework: constructed as SCR would, with H2's own DataSourceFactory
 * and a configuration map as Config Admin passes it (a factory configuration's service.pid).
 */
class H2StoreComponentTest {
  private static final String INSTANCE = H2StoreComponent.PID + "~main";

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
  void opensInItsDirectoryServesAndClosesOnDeactivate() {
    H2StoreComponent c = component(properties(dir.toString()));
    assertThat(c.type()).isEqualTo("h2");
    assertThat(c.current()).isNotNull();
    c.inTransaction(
        tx -> {
          tx.putShare(new Share("export", LockingMode.MANDATORY));
          return null;
        });
    assertThat(log.lines(Level.INFO)).singleElement().asString().contains(INSTANCE, "open in");
    c.deactivate();
    StoreTestSupport.assertUnavailable(c);

    H2StoreComponent again = component(properties(dir.toString()));
    try {
      assertThat(again.inTransaction(tx -> tx.getShare("export").isPresent()).booleanValue())
          .isTrue();
    } finally {
      again.deactivate();
    }
  }

  @Test
  void anUnusableFirstDirectoryAnswersUnavailableAndTheCorrectedOneOpensAtOnce() throws Exception {
    Path file = Files.createFile(dir.resolve("a-file"));
    H2StoreComponent c = component(properties(file.resolve("db").toString()));
    try {
      assertThat(c.current()).isNull();
      assertThat(StoreTestSupport.assertUnavailable(c).getMessage()).contains(INSTANCE, "a-file");
      assertThat(log.lines(Level.SEVERE))
          .singleElement()
          .asString()
          .contains(INSTANCE, "a-file", "retrying in the background");

      c.modified(properties(dir.resolve("good").toString()));

      assertThat(c.current()).isNotNull();
      assertThat(c.inTransaction(tx -> tx.listShares()).size()).isZero();
      assertThat(log.lines(Level.SEVERE)).hasSize(1);
      assertThat(log.lines(Level.INFO)).last().asString().contains("open in", "good");
    } finally {
      c.deactivate();
    }
  }

  @Test
  void anUnusableFirstDirectoryOpensInTheBackgroundOnceItIsUsable() throws Exception {
    Path blocked = dir.resolve("later");
    Files.createFile(blocked); // a file where the directory should be
    H2StoreComponent c = component(properties(blocked.toString()));
    try {
      assertThat(c.current()).isNull();
      Files.delete(blocked); // the operator fixes the file system; the configuration stays
      long deadline = System.nanoTime() + 30_000_000_000L;
      while (c.current() == null && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      assertThat(c.current()).as("opened by a background attempt").isNotNull();
      assertThat(log.lines(Level.SEVERE)).hasSize(1); // one line per state change
      assertThat(log.lines(Level.INFO)).last().asString().contains("open in", "(again)");
    } finally {
      c.deactivate();
    }
  }

  @Test
  void anotherDirectoryForAnOpenStoreIsRefusedWithOneLineAndTheStoreStaysInService() {
    H2StoreComponent c = component(properties(dir.resolve("a").toString()));
    try {
      var open = c.current();
      c.modified(properties(dir.resolve("b").toString()));
      c.modified(properties(dir.resolve("b").toString())); // Config Admin repeating it

      assertThat(c.current()).isSameAs(open);
      assertThat(c.inTransaction(tx -> tx.listShares()).size()).isZero();
      assertThat(log.lines(Level.SEVERE))
          .singleElement()
          .asString()
          .contains(INSTANCE, "stays in service", "create another configuration");
      assertThat(Files.exists(dir.resolve("b"))).isFalse();
    } finally {
      c.deactivate();
    }
  }

  @Test
  void malformedValuesAreOneLineEachAndTheDefaultsOrValuesInForceStay() {
    Map<String, Object> p = properties(dir.toString());
    p.put("service.ranking", "lots");
    p.put("user", new String[] {"sa", "other"});
    H2StoreComponent c = component(p);
    try {
      assertThat(c.current()).isNotNull(); // user: the default, sa
      c.modified(p); // the same bad values again: no new lines
      assertThat(log.lines(Level.SEVERE))
          .satisfiesExactly(
              l -> assertThat(l).contains(INSTANCE, "'service.ranking'", "'lots'", "keeping 0"),
              l -> assertThat(l).contains(INSTANCE, "'user'", "list of 2 values", "keeping sa"));
    } finally {
      c.deactivate();
    }
  }

  @Test
  void aWrongPasswordIsRetriedWithoutEverLoggingIt() {
    component(withPassword(properties(dir.toString()), "admin", "first-secret")).deactivate();
    H2StoreComponent c =
        component(withPassword(properties(dir.toString()), "admin", "second-secret"));
    try {
      assertThat(c.current()).isNull();
      assertThat(StoreTestSupport.assertUnavailable(c).getMessage()).doesNotContain("secret");
      c.modified(withPassword(properties(dir.toString()), "admin", "first-secret"));
      assertThat(c.current()).isNotNull();
      assertThat(log.lines(Level.ALL)).noneMatch(l -> l.contains("secret"));
    } finally {
      c.deactivate();
    }
  }

  private H2StoreComponent component(Map<String, Object> properties) {
    return new H2StoreComponent(factory, properties);
  }

  /** A factory configuration as DS passes it (the password included: it is private). */
  private static Map<String, Object> properties(String directory) {
    Map<String, Object> p = new HashMap<>();
    p.put("directory", directory);
    p.put("service.pid", INSTANCE);
    p.put("service.factoryPid", H2StoreComponent.PID);
    p.put("component.name", H2StoreComponent.class.getName());
    return p;
  }

  private static Map<String, Object> withPassword(
      Map<String, Object> p, String user, String password) {
    p.put("user", user);
    p.put(".password", password);
    return p;
  }
}
