package org.dittofs.metadata.store.h2;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.Properties;
import java.util.function.Function;
import javax.sql.ConnectionPoolDataSource;
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
 * Registers an H2 {@link MetadataStore} with {@code store.type=h2}, once configured. Connections
 * come from H2's own {@link DataSourceFactory} service. Activation opens (or creates) the database
 * in the configured directory and migrates its schema; deactivation closes it. A configuration that
 * cannot work (a directory that cannot be created or written, a database that cannot be opened) is
 * logged as one line naming the PID, the field and the reason, and fails activation.
 *
 * <p>The factory reference is static and mandatory; configuration may replace its target filter
 * with {@code dataSourceFactory.target}.
 */
@Component(
    service = MetadataStore.class,
    configurationPid = H2StoreComponent.PID,
    configurationPolicy = ConfigurationPolicy.REQUIRE,
    property = "store.type=h2")
@Designate(ocd = H2StoreComponent.Config.class)
public final class H2StoreComponent implements MetadataStore {
  static final String PID = "org.dittofs.metadata.store.h2";

  private static final System.Logger LOG = System.getLogger(PID);

  @ObjectClassDefinition(
      name = "DittoFS H2 metadata store",
      description =
          "Shares, files and lock records in an embedded H2 database file; every commit is on"
              + " disk before it is acknowledged.")
  @interface Config {
    @AttributeDefinition(
        name = "Directory",
        description =
            "Directory of the database file (dittofs.mv.db); created if missing. Relative paths"
                + " are resolved against the working directory.")
    String directory() default "./data";

    @AttributeDefinition(
        name = "User",
        description = "Database user; a new database makes this user its administrator.")
    String user() default H2Stores.DEFAULT_USER;

    @AttributeDefinition(
        name = "Password",
        type = AttributeType.PASSWORD,
        description =
            "Password of the database user. A private property: never published with the"
                + " service and never logged.")
    String _password() default "";

    @AttributeDefinition(
        name = "Service ranking",
        description = "Ranking of the store service; among matching stores the highest wins.")
    int service_ranking() default 0;
  }

  private final JdbcMetadataStore store;

  /**
   * Opens the store.
   *
   * @throws IllegalArgumentException if the configuration cannot work (logged first)
   */
  @Activate
  public H2StoreComponent(
      @Reference(name = "dataSourceFactory", target = "(osgi.jdbc.driver.class=org.h2.Driver)")
          DataSourceFactory factory,
      Config config) {
    Path directory;
    try {
      directory = Path.of(config.directory());
    } catch (InvalidPathException e) {
      throw invalid("directory", "'" + config.directory() + "' is not a path: " + e.getMessage());
    }
    String problem = H2Stores.prepareDirectory(directory);
    if (problem != null) {
      throw invalid("directory", "'" + directory + "' " + problem);
    }
    Properties props = new Properties();
    props.setProperty(DataSourceFactory.JDBC_URL, H2Stores.url(directory));
    props.setProperty(DataSourceFactory.JDBC_USER, config.user());
    props.setProperty(DataSourceFactory.JDBC_PASSWORD, config._password());
    ConnectionPoolDataSource source;
    try {
      source = factory.createConnectionPoolDataSource(props);
    } catch (SQLException e) {
      throw invalid("directory", "H2 refused the data source: " + e.getMessage());
    }
    try {
      store = H2Stores.open(source);
    } catch (RuntimeException e) {
      throw invalid(
          "directory/user/password",
          "cannot open the database in '" + directory + "': " + e.getMessage());
    }
    LOG.log(System.Logger.Level.INFO, PID + ": H2 store open in " + directory.toAbsolutePath());
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
