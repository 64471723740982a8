package org.dittofs.metadata.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import java.net.ServerSocket;
import java.util.HashMap;
import java.util.Map;
import java.util.logging.Level;
import javax.sql.DataSource;
import org.dittofs.metadata.Share;
import org.dittofs.metadata.lock.LockingMode;
import org.dittofs.metadata.lock.testing.LogCapture;
import org.dittofs.metadata.store.testkit.StoreTestSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.osgi.service.jdbc.DataSourceFactory;
import org.postgresql.ds.PGSimpleDataSource;
import org.postgresql.osgi.PGDataSourceFactory;

/**
 * The DS component outside a framework: constructed as SCR would, with pgjdbc's own
 * DataSourceFactory (or a DataSource service, as pax-jdbc makes) and a configuration map, against
 * the test server.
 */
@ExtendWith(PostgresServer.class)
class PostgresStoreComponentTest {
  private static final String INSTANCE = PostgresStoreComponent.PID + "~main";

  private final DataSourceFactory factory = new PGDataSourceFactory();
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
  void opensItsOwnPoolServesResizesAndCloses() {
    PostgresStoreComponent c = component(null, properties(PostgresServer.url("component"), 2));
    try {
      assertThat(c.type()).isEqualTo("postgres");
      c.inTransaction(
          tx -> {
            tx.putShare(new Share("export", LockingMode.ADVISORY));
            return null;
          });
      assertThat(c.inTransaction(tx -> tx.getShare("export").isPresent()).booleanValue()).isTrue();
      c.modified(properties(PostgresServer.url("component"), 5));
      assertThat(((HikariDataSource) c.current().dataSource()).getMaximumPoolSize()).isEqualTo(5);
    } finally {
      c.deactivate();
    }
    StoreTestSupport.assertUnavailable(c);
    assertThat(log.lines(Level.SEVERE)).isEmpty();
    assertThat(log.lines(Level.ALL)).noneMatch(l -> l.contains("secret"));
  }

  @Test
  void anUnreachableServerIsRetriedAndACorrectedUrlOpensAtOnce() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    String unreachable = "jdbc:postgresql://127.0.0.1:" + closedPort + "/x?connectTimeout=2";
    PostgresStoreComponent c = component(null, properties(unreachable, 2));
    try {
      assertThat(c.current()).isNull();
      assertThat(StoreTestSupport.assertUnavailable(c).getMessage())
          .contains(INSTANCE, "127.0.0.1:" + closedPort);
      assertThat(log.lines(Level.SEVERE))
          .singleElement()
          .asString()
          .contains(INSTANCE, "127.0.0.1:" + closedPort, "retrying in the background");

      c.modified(properties(PostgresServer.url("component"), 2));

      assertThat(c.current()).isNotNull();
      assertThat(log.lines(Level.SEVERE)).hasSize(1);
      assertThat(log.lines(Level.ALL)).noneMatch(l -> l.contains("secret"));
    } finally {
      c.deactivate();
    }
  }

  @Test
  void badValuesAreOneLineEachAndKeepTheValueInForce() {
    Map<String, Object> p = properties(PostgresServer.url("component"), 2);
    PostgresStoreComponent c = component(null, p);
    try {
      var open = c.current();
      Map<String, Object> bad = new HashMap<>(p);
      bad.put("url", "jdbc:mysql://db/x?password=secret");
      bad.put("pool.size", "lots");
      c.modified(bad);
      bad.put("pool.size", 0);
      c.modified(bad);

      assertThat(c.current()).isSameAs(open);
      assertThat(((HikariDataSource) open.dataSource()).getMaximumPoolSize()).isEqualTo(2);
      assertThat(log.lines(Level.SEVERE))
          .satisfiesExactly(
              l -> assertThat(l).contains(INSTANCE, "'pool.size'", "'lots'", "keeping 2"),
              l -> assertThat(l).contains(INSTANCE, "'url'", "jdbc:mysql://db/x", "keeping"),
              l -> assertThat(l).contains(INSTANCE, "'pool.size'", "'0'", "outside 1 to 1000"));
      assertThat(log.lines(Level.ALL)).noneMatch(l -> l.contains("secret"));
    } finally {
      c.deactivate();
    }
  }

  @Test
  void aDataSourceServiceIsUsedInsteadOfTheOwnPoolAndLeftOpen() {
    PGSimpleDataSource source = new PGSimpleDataSource();
    source.setUrl(PostgresServer.url("component_ds"));
    source.setUser(PostgresServer.user());
    Map<String, Object> p = properties("jdbc:postgresql://ignored/x", 2);
    p.put("dataSource.target", "(dataSourceName=dittofs)");
    PostgresStoreComponent c = component(source, p);
    try {
      assertThat(c.current().dataSource()).isSameAs(source);
      c.inTransaction(tx -> tx.listShares());
      assertThat(log.lines(Level.INFO))
          .last()
          .asString()
          .contains("the DataSource service (dataSourceName=dittofs)");
    } finally {
      c.deactivate();
    }
  }

  @Test
  void aDataSourceTargetMatchingNothingYetAnswersUnavailable() {
    Map<String, Object> p = properties(PostgresServer.url("component"), 2);
    p.put("dataSource.target", "(dataSourceName=dittofs)");
    PostgresStoreComponent c = component(null, p);
    try {
      assertThat(StoreTestSupport.assertUnavailable(c).getMessage())
          .contains("(dataSourceName=dittofs)");
      assertThat(log.lines(Level.SEVERE))
          .singleElement()
          .asString()
          .contains(INSTANCE, "no DataSource service matches");
    } finally {
      c.deactivate();
    }
  }

  private PostgresStoreComponent component(DataSource source, Map<String, Object> properties) {
    return new PostgresStoreComponent(factory, source, properties);
  }

  private static Map<String, Object> properties(String url, Object poolSize) {
    Map<String, Object> p = new HashMap<>();
    p.put("url", url);
    p.put("user", PostgresServer.user());
    p.put(".password", "secret-never-logged");
    p.put("pool.size", poolSize);
    p.put("service.pid", INSTANCE);
    p.put("service.factoryPid", PostgresStoreComponent.PID);
    return p;
  }
}
