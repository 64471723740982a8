package org.dittofs.metadata.store.postgres;

import java.sql.SQLException;
import java.util.Arrays;
import java.util.Map;
import java.util.Properties;
import javax.sql.DataSource;
import org.dittofs.metadata.config.ConfigurationValues;
import org.dittofs.metadata.errors.StoreErrors;
import org.dittofs.metadata.spi.MetadataStore;
import org.dittofs.metadata.store.jdbc.ConnectingStore;
import org.dittofs.metadata.store.jdbc.ConnectingStoreComponent;
import org.dittofs.metadata.store.jdbc.JdbcMetadataStore;
import org.dittofs.metadata.store.jdbc.StoreAttributes;
import org.dittofs.metadata.store.jdbc.StoreConfigurations;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.jdbc.DataSourceFactory;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * A PostgreSQL {@link MetadataStore}, one per configuration: a factory configuration of {@value
 * #PID} (Karaf {@code etc/org.dittofs.metadata.store.postgres-main.cfg}) makes one component
 * instance, whose store service SCR registers with {@code store.type=postgres}. Its connections
 * come from one of two places:
 *
 * <ul>
 *   <li>its own HikariCP pool over pgjdbc's {@link DataSourceFactory}: {@code url}, {@code user},
 *       {@code .password}, {@code pool.size} (the pool size changes on a running store);
 *   <li>a {@code javax.sql.DataSource} service, e.g. one that pax-jdbc makes from {@code
 *       etc/org.ops4j.datasource-dittofs.cfg}: set {@code dataSource.target} to a filter selecting
 *       it, e.g. {@code (dataSourceName=dittofs)}; url, user, password and pool size are then
 *       pax-jdbc's. The reference is static and greedy: when the selected DataSource comes, goes or
 *       is replaced, SCR re-activates the instance, and the metadata service moves the live state
 *       as for any store that leaves and comes back.
 * </ul>
 *
 * <p>The store opens the database (schema migrated) when activated, or keeps trying in the
 * background while it cannot, answering STORE_UNAVAILABLE meanwhile ({@link ConnectingStore}); a
 * corrected URL, user or password applies at once while it is not open. Once open, its database
 * does not change: another database is another configuration instance and a {@code store.target}
 * pointing at it, then the old instance is deleted. Configuration is read as a map: a value that
 * cannot be used (a URL that is not {@code jdbc:postgresql:}, a pool size below 1, a ranking that
 * is not a number) is one log line naming the PID, the field and the reason (never a password), and
 * the value in force (or the default) stays. Nothing is thrown out of activate or modified.
 */
@Component(
    service = MetadataStore.class,
    immediate = true,
    configurationPid = PostgresStoreComponent.PID,
    configurationPolicy = ConfigurationPolicy.REQUIRE,
    property = "store.type=postgres")
@Designate(ocd = PostgresStoreComponent.Config.class, factory = true)
public final class PostgresStoreComponent extends ConnectingStoreComponent {
  static final String PID = "org.dittofs.metadata.store.postgres";
  static final String DEFAULT_URL = "jdbc:postgresql://localhost:5432/dittofs";
  static final String DEFAULT_USER = "dittofs";
  static final int MAX_POOL_SIZE = 1000;

  /** The DataSource reference's target until {@code dataSource.target} is set: matches nothing. */
  static final String NO_DATA_SOURCE = "(dittofs.datasource=none)";

  @ObjectClassDefinition(
      name = "DittoFS PostgreSQL metadata store",
      description =
          "Shares, files and lock records in a PostgreSQL database. One database per"
              + " configuration: its URL is fixed once the store is open.")
  interface Config extends Connection, StoreAttributes.Ranking {
    @AttributeDefinition(
        name = "Pool size",
        defaultValue = "" + PostgresStores.DEFAULT_POOL_SIZE,
        description = "Most connections the store's pool keeps open (1 to 1000).",
        min = "1",
        max = "1000")
    int pool_size();

    @AttributeDefinition(
        name = "DataSource",
        description =
            "Filter selecting a javax.sql.DataSource service (pax-jdbc), e.g."
                + " (dataSourceName=dittofs). Set: the store uses it instead of url, user,"
                + " password and its own pool.",
        defaultValue = NO_DATA_SOURCE,
        required = false)
    String dataSource_target();
  }

  /**
   * The attributes of a connection to PostgreSQL, shared with {@link
   * PostgresClusterStoreComponent}.
   */
  interface Connection extends StoreAttributes.Password {
    @AttributeDefinition(
        name = "JDBC URL",
        defaultValue = DEFAULT_URL,
        description = "Database URL, jdbc:postgresql://host:port/database[?parameters].")
    String url();

    @AttributeDefinition(name = "User", defaultValue = DEFAULT_USER, description = "Database user.")
    String user();
  }

  private final DataSourceFactory factory;
  private final DataSource dataSource;

  /** Opens the store, or starts trying to; never throws. */
  @Activate
  public PostgresStoreComponent(
      @Reference(
              name = "dataSourceFactory",
              target = "(osgi.jdbc.driver.class=org.postgresql.Driver)")
          DataSourceFactory factory,
      @Reference(
              name = "dataSource",
              cardinality = ReferenceCardinality.OPTIONAL,
              policyOption = ReferencePolicyOption.GREEDY,
              target = NO_DATA_SOURCE)
          DataSource dataSource,
      Map<String, Object> properties) {
    super(PID, "postgres", properties);
    this.factory = factory;
    this.dataSource = dataSource;
    open(properties);
  }

  /** A new configuration: see the class comment; never throws. */
  @Modified
  void modified(Map<String, Object> properties) {
    reconfigure(properties);
    if (dataSource == null && current() != null) {
      PostgresStores.resize(current(), poolSize());
    }
  }

  @Deactivate
  void deactivate() {
    stop();
  }

  @Override
  protected ConnectingStore.Database database(ConfigurationValues v) {
    StoreConfigurations configurations = configurations();
    String target = v.text("dataSource.target", NO_DATA_SOURCE);
    int poolSize = v.wholeInt("pool.size", poolSize(), 1, MAX_POOL_SIZE);
    configurations.keep("pool.size", String.valueOf(poolSize));
    if (!NO_DATA_SOURCE.equals(target)) {
      configurations.log(v);
      String where = "the DataSource service " + target;
      DataSource source = dataSource;
      return new ConnectingStore.Database(
          Arrays.asList("dataSource", target, source == null ? 0 : System.identityHashCode(source)),
          where,
          () -> {
            if (source == null) {
              throw StoreErrors.invalidArgument(
                  "no DataSource service matches dataSource.target " + target + " yet");
            }
            return PostgresStores.openDirect(source);
          });
    }
    String previous = configurations.inForce("url", DEFAULT_URL);
    String url = v.text("url", DEFAULT_URL);
    if (!url.startsWith("jdbc:postgresql:")) {
      v.refuse(
          "url",
          PostgresStores.redact(url),
          "is not a jdbc:postgresql: URL",
          PostgresStores.redact(previous));
      url = previous;
    }
    configurations.keep("url", url);
    String user = v.text("user", DEFAULT_USER);
    String password = v.secret(".password", "");
    configurations.log(v);
    String u = url;
    return new ConnectingStore.Database(
        Arrays.asList(url, user, password),
        PostgresStores.redact(url),
        () -> open(u, user, password, poolSize));
  }

  /** The pool size in force. */
  private int poolSize() {
    return Integer.parseInt(
        configurations().inForce("pool.size", String.valueOf(PostgresStores.DEFAULT_POOL_SIZE)));
  }

  private JdbcMetadataStore open(String url, String user, String password, int poolSize) {
    return PostgresStores.open(dataSource(factory, url, user, password), poolSize);
  }

  /**
   * A DataSource of pgjdbc's factory for the URL (batched inserts rewritten), user and password.
   *
   * @throws org.dittofs.metadata.errors.StoreError INVALID_ARGUMENT if the driver refuses them
   */
  static DataSource dataSource(
      DataSourceFactory factory, String url, String user, String password) {
    Properties props = new Properties();
    props.setProperty(DataSourceFactory.JDBC_URL, PostgresStores.withBatchRewrite(url));
    if (!user.isEmpty()) {
      props.setProperty(DataSourceFactory.JDBC_USER, user);
    }
    if (!password.isEmpty()) {
      props.setProperty(DataSourceFactory.JDBC_PASSWORD, password);
    }
    try {
      return factory.createDataSource(props);
    } catch (SQLException | RuntimeException e) {
      throw StoreErrors.invalidArgument(
          "'" + PostgresStores.redact(url) + "' is refused: " + e.getMessage());
    }
  }
}
