package org.dittofs.metadata.store.postgres;

import java.sql.SQLException;
import java.util.Properties;
import java.util.function.Function;
import javax.sql.DataSource;
import org.dittofs.metadata.MetadataStore;
import org.dittofs.metadata.Transaction;
import org.dittofs.metadata.store.jdbc.JdbcMetadataStore;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
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
 * login) is logged as one line naming the PID, the field and the reason, and fails activation.
 *
 * <p>The factory reference is static and mandatory; configuration may replace its target filter
 * with {@code dataSourceFactory.target}.
 */
@Component(
    service = MetadataStore.class,
    configurationPid = PostgresStoreComponent.PID,
    configurationPolicy = ConfigurationPolicy.REQUIRE,
    property = "store.type=postgres")
@Designate(ocd = PostgresStoreComponent.Config.class)
public final class PostgresStoreComponent implements MetadataStore {
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

  private final JdbcMetadataStore store;

  /**
   * Connects and opens the store.
   *
   * @throws IllegalArgumentException if the configuration cannot work (logged first)
   */
  @Activate
  public PostgresStoreComponent(
      @Reference(
              name = "dataSourceFactory",
              target = "(osgi.jdbc.driver.class=org.postgresql.Driver)")
          DataSourceFactory factory,
      Config config) {
    String url = config.url();
    if (url == null || !url.startsWith("jdbc:postgresql:")) {
      throw invalid("url", "'" + PostgresStores.redact(url) + "' is not a jdbc:postgresql: URL");
    }
    if (config.pool_size() < 1) {
      throw invalid("pool.size", "must be at least 1, got " + config.pool_size());
    }
    Properties props = new Properties();
    props.setProperty(DataSourceFactory.JDBC_URL, url);
    if (!config.user().isEmpty()) {
      props.setProperty(DataSourceFactory.JDBC_USER, config.user());
    }
    if (!config._password().isEmpty()) {
      props.setProperty(DataSourceFactory.JDBC_PASSWORD, config._password());
    }
    DataSource source;
    try {
      source = factory.createDataSource(props);
    } catch (SQLException | RuntimeException e) {
      throw invalid("url", "'" + PostgresStores.redact(url) + "' is refused: " + e.getMessage());
    }
    try {
      store = PostgresStores.open(source, config.pool_size());
    } catch (RuntimeException e) {
      throw invalid(
          "url/user/password",
          "cannot open the store at '" + PostgresStores.redact(url) + "': " + e.getMessage());
    }
    LOG.log(
        System.Logger.Level.INFO, PID + ": PostgreSQL store open at " + PostgresStores.redact(url));
  }

  @Deactivate
  void deactivate() {
    store.close();
  }

  @Override
  public String type() {
    return store.type();
  }

  @Override
  public Transaction begin() {
    return store.begin();
  }

  @Override
  public <T> T inTransaction(Function<Transaction, T> work) {
    return store.inTransaction(work);
  }

  private static IllegalArgumentException invalid(String field, String reason) {
    String line = PID + ": invalid configuration of " + field + ": " + reason;
    LOG.log(System.Logger.Level.ERROR, line);
    return new IllegalArgumentException(line);
  }
}
