package org.dittofs.metadata.store.postgres;

import com.zaxxer.hikari.HikariDataSource;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import javax.sql.DataSource;
import org.dittofs.metadata.config.ConfigurationValues;
import org.dittofs.metadata.errors.StoreError;
import org.dittofs.metadata.lock.spi.LockCluster;
import org.dittofs.metadata.spi.ClusteredMetadataStore;
import org.dittofs.metadata.spi.MetadataStore;
import org.dittofs.metadata.store.jdbc.ConnectingStore;
import org.dittofs.metadata.store.jdbc.ConnectingStoreComponent;
import org.dittofs.metadata.store.jdbc.Dialect;
import org.dittofs.metadata.store.jdbc.JdbcLockCluster;
import org.dittofs.metadata.store.jdbc.JdbcMetadataStore;
import org.dittofs.metadata.store.jdbc.StoreConfigurations;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.jdbc.DataSourceFactory;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A PostgreSQL store shared by several servers as one lock space: this server is one node of the
 * cluster (docs/cluster.md). A factory configuration of {@value #PID} (Karaf {@code
 * etc/org.dittofs.metadata.store.postgres.cluster-main.cfg}) makes one instance, registered with
 * {@code store.type=postgres} and {@code store.cluster=true}; the metadata service selects it with
 * {@code store.target=(store.cluster=true)} and runs its lock manager as a node of the cluster
 * ({@link ClusteredMetadataStore}). Every node points at the same database with its own {@code
 * cluster.node}.
 *
 * <p>The same values as {@link PostgresStoreComponent} ({@code url}, {@code user}, {@code
 * .password}, {@code pool.size}), plus {@code cluster.node} (this node's id, unique among the live
 * nodes; default: the host name) and {@code cluster.heartbeat.millis}. The pool does not connect
 * before it is used: the store opens (schema migrated) in the background and answers
 * STORE_UNAVAILABLE until it can, and the metadata service retries joining the cluster meanwhile. A
 * changed configuration restarts the instance (the node leaves and joins again): a node id or a
 * database is not changed under a running lock manager. A value that cannot be used is one log line
 * naming the PID and the field, and its default is used. Nothing is thrown out of activate.
 */
@Component(
    service = MetadataStore.class,
    immediate = true,
    configurationPid = PostgresClusterStoreComponent.PID,
    configurationPolicy = ConfigurationPolicy.REQUIRE,
    property = {"store.type=postgres", "store.cluster=true"})
@Designate(ocd = PostgresClusterStoreComponent.Config.class, factory = true)
public final class PostgresClusterStoreComponent extends ConnectingStoreComponent
    implements ClusteredMetadataStore {
  static final String PID = "org.dittofs.metadata.store.postgres.cluster";

  private static final Logger LOG = LoggerFactory.getLogger(PID);

  @ObjectClassDefinition(
      name = "DittoFS PostgreSQL cluster store",
      description =
          "This server as one node of a cluster of servers that share the lock records of one"
              + " PostgreSQL database as one lock space.")
  interface Config extends PostgresStoreComponent.Connection {
    @AttributeDefinition(
        name = "Pool size",
        defaultValue = "" + PostgresStores.DEFAULT_POOL_SIZE,
        description = "Most connections the store's pool keeps open (2 to 1000).",
        min = "2",
        max = "1000")
    int pool_size();

    @AttributeDefinition(
        name = "Node id",
        description =
            "This server's id in the cluster, unique among the live nodes (default: the host"
                + " name).",
        required = false)
    String cluster_node();

    @AttributeDefinition(
        name = "Heartbeat (ms)",
        defaultValue = "2000",
        description = "How often this node beats its heartbeat and looks for dead nodes.",
        min = "50")
    long cluster_heartbeat_millis();
  }

  private final HikariDataSource pool;
  private final JdbcLockCluster cluster;
  private final ConnectingStore.Database database;

  /** Creates the node's pool and cluster and opens the store, or starts trying to; never throws. */
  @Activate
  public PostgresClusterStoreComponent(
      @Reference(
              name = "dataSourceFactory",
              target = "(osgi.jdbc.driver.class=org.postgresql.Driver)")
          DataSourceFactory factory,
      Map<String, Object> properties) {
    super(PID, "postgres", properties);
    StoreConfigurations configurations = configurations();
    ConfigurationValues v = configurations.values(properties);
    String url = v.text("url", PostgresStoreComponent.DEFAULT_URL);
    if (!url.startsWith("jdbc:postgresql:")) {
      url =
          v.refuse(
              "url",
              PostgresStores.redact(url),
              "is not a jdbc:postgresql: URL",
              PostgresStoreComponent.DEFAULT_URL);
    }
    String user = v.text("user", PostgresStoreComponent.DEFAULT_USER);
    String password = v.secret(".password", "");
    // the membership session holds one connection of its own for the node's life
    int poolSize =
        v.wholeInt(
            "pool.size", PostgresStores.DEFAULT_POOL_SIZE, 2, PostgresStoreComponent.MAX_POOL_SIZE);
    String node = v.text("cluster.node", hostName());
    long heartbeat = v.whole("cluster.heartbeat.millis", 2000, 50, 3_600_000);
    JdbcLockCluster c;
    HikariDataSource p = pool(factory, url, user, password, poolSize);
    try {
      c = new JdbcLockCluster(p, node, new PgNotifications(), Duration.ofMillis(heartbeat));
    } catch (StoreError e) {
      v.refuse("cluster.node", node, e.getMessage(), hostName());
      c = new JdbcLockCluster(p, hostName(), new PgNotifications(), Duration.ofMillis(heartbeat));
    }
    configurations.log(v);
    this.pool = p;
    this.cluster = c;
    this.database =
        new ConnectingStore.Database(
            Arrays.asList(url, user, password),
            PostgresStores.redact(url),
            () -> JdbcMetadataStore.open(p, Dialect.POSTGRESQL, () -> {}));
    LOG.info(PID + ": node '" + cluster.node() + "' over " + PostgresStores.redact(url));
    open(properties);
  }

  /** The database is the one the configuration at activation named: a change restarts the node. */
  @Override
  protected ConnectingStore.Database database(ConfigurationValues values) {
    return database;
  }

  @Override
  public LockCluster lockCluster() {
    return cluster;
  }

  /** The node leaves (if the metadata service has not made it leave yet), then the pool closes. */
  @Deactivate
  void deactivate() {
    stop();
    cluster.leave();
    pool.close();
  }

  private static HikariDataSource pool(
      DataSourceFactory factory, String url, String user, String password, int poolSize) {
    DataSource source;
    try {
      source = PostgresStoreComponent.dataSource(factory, url, user, password);
    } catch (StoreError e) {
      LOG.error(PID + ": " + e.getMessage() + "; using " + PostgresStoreComponent.DEFAULT_URL);
      source =
          PostgresStoreComponent.dataSource(
              factory, PostgresStoreComponent.DEFAULT_URL, user, password);
    }
    return PostgresStores.lazyClusterPool(source, poolSize);
  }

  private static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "localhost";
    }
  }
}
