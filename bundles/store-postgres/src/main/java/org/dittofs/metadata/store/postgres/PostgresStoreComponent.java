package org.dittofs.metadata.store.postgres;

import java.sql.SQLException;
import java.util.Arrays;
import java.util.Map;
import java.util.Properties;
import javax.sql.DataSource;
import org.dittofs.metadata.spi.MetadataStore;
import org.dittofs.metadata.store.jdbc.JdbcMetadataStore;
import org.dittofs.metadata.store.jdbc.PublishedStore;
import org.dittofs.metadata.store.jdbc.PublishedStore.InvalidConfiguration;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.jdbc.DataSourceFactory;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Registers a PostgreSQL {@link MetadataStore} with {@code store.type=postgres}, once configured.
 * Connections come from pgjdbc's {@link DataSourceFactory} service through a HikariCP pool.
 * Activation connects and migrates the schema; deactivation closes the pool. A configuration that
 * cannot work (a malformed URL, a bad pool size, a server that cannot be reached or refuses the
 * login) is logged as one line naming the PID, the field and the reason (passwords never): at
 * activation it fails activation; as a change of a running store ({@link #modified}) it is refused
 * and the store in service stays.
 *
 * <p>The component registers the store service itself ({@link PublishedStore}) instead of being the
 * DS service: a new URL, user, password or pool size connects the new pool first, registers it, and
 * only then unregisters and closes the old one, so the metadata service hot-swaps its live state
 * into the new database; a change of the ranking (or another public property) only updates the
 * service properties.
 *
 * <p>The factory reference is static and mandatory; configuration may replace its target filter
 * with {@code dataSourceFactory.target}.
 */
@Component(
    service = {},
    immediate = true,
    configurationPid = PostgresStoreComponent.PID,
    configurationPolicy = ConfigurationPolicy.REQUIRE)
@Designate(ocd = PostgresStoreComponent.Config.class)
public final class PostgresStoreComponent {
  static final String PID = "org.dittofs.metadata.store.postgres";

  private static final System.Logger LOG = System.getLogger(PID);

  @ObjectClassDefinition(
      name = "DittoFS PostgreSQL metadata store",
      description = "Shares, files and lock records in a PostgreSQL database.")
  @interface Config {
    @AttributeDefinition(
        name = "JDBC URL",
        description = "Database URL, jdbc:postgresql://host:port/database[?parameters].")
    String url() default "jdbc:postgresql://localhost:5432/dittofs";

    @AttributeDefinition(name = "User", description = "Database user.")
    String user() default "dittofs";

    @AttributeDefinition(
        name = "Password",
        type = AttributeType.PASSWORD,
        description =
            "Password of the database user. A private property: never published with the"
                + " service and never logged.")
    String _password() default "";

    @AttributeDefinition(
        name = "Pool size",
        description = "Most connections the store's pool keeps open (at least 1).",
        min = "1")
    int pool_size() default PostgresStores.DEFAULT_POOL_SIZE;

    @AttributeDefinition(
        name = "Service ranking",
        description = "Ranking of the store service; among matching stores the highest wins.")
    int service_ranking() default 0;
  }

  private final DataSourceFactory factory;
  private final PublishedStore published;

  /**
   * Connects, opens the store and registers it.
   *
   * @throws IllegalArgumentException if the configuration cannot work (logged first)
   */
  @Activate
  public PostgresStoreComponent(
      @Reference(
              name = "dataSourceFactory",
              target = "(osgi.jdbc.driver.class=org.postgresql.Driver)")
          DataSourceFactory factory,
      Config config,
      Map<String, Object> properties,
      BundleContext context) {
    this(factory, config, properties, PublishedStore.publisher(context));
  }

  /** As DS does, with the service registry given (unit tests). */
  PostgresStoreComponent(
      DataSourceFactory factory,
      Config config,
      Map<String, Object> properties,
      PublishedStore.Publisher publisher) {
    this.factory = factory;
    this.published = new PublishedStore(PID, "postgres", LOG, publisher);
    published.activate(settings(config), properties);
  }

  /** A new configuration: see the class comment; never throws, never leaves no store. */
  @Modified
  void modified(Config config, Map<String, Object> properties) {
    published.modified(settings(config), properties);
  }

  @Deactivate
  void deactivate() {
    published.deactivate();
  }

  /** The store in service (null once deactivated). */
  MetadataStore store() {
    return published.store();
  }

  /** The database of a configuration; problems are found when it is opened. */
  private PublishedStore.Settings settings(Config config) {
    String url = config.url();
    String user = config.user();
    String password = config._password();
    int poolSize = config.pool_size();
    return new PublishedStore.Settings(
        Arrays.asList(url, user, password, poolSize),
        PostgresStores.redact(url),
        () -> open(url, user, password, poolSize));
  }

  private JdbcMetadataStore open(String url, String user, String password, int poolSize) {
    if (url == null || !url.startsWith("jdbc:postgresql:")) {
      throw new InvalidConfiguration(
          "url", "'" + PostgresStores.redact(url) + "' is not a jdbc:postgresql: URL");
    }
    if (poolSize < 1) {
      throw new InvalidConfiguration("pool.size", "must be at least 1, got " + poolSize);
    }
    Properties props = new Properties();
    props.setProperty(DataSourceFactory.JDBC_URL, PostgresStores.withBatchRewrite(url));
    if (user != null && !user.isEmpty()) {
      props.setProperty(DataSourceFactory.JDBC_USER, user);
    }
    if (password != null && !password.isEmpty()) {
      props.setProperty(DataSourceFactory.JDBC_PASSWORD, password);
    }
    DataSource source;
    try {
      source = factory.createDataSource(props);
    } catch (SQLException | RuntimeException e) {
      throw new InvalidConfiguration(
          "url", "'" + PostgresStores.redact(url) + "' is refused: " + e.getMessage());
    }
    try {
      return PostgresStores.open(source, poolSize);
    } catch (RuntimeException e) {
      throw new InvalidConfiguration(
          "url/user/password",
          "cannot open the store at '" + PostgresStores.redact(url) + "': " + e.getMessage());
    }
  }
}
