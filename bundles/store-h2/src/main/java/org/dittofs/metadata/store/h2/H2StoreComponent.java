package org.dittofs.metadata.store.h2;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.Map;
import java.util.Properties;
import javax.sql.ConnectionPoolDataSource;
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
 * Registers an H2 {@link MetadataStore} with {@code store.type=h2}, once configured. Connections
 * come from H2's own {@link DataSourceFactory} service. Activation opens (or creates) the database
 * in the configured directory and migrates its schema; deactivation closes it. A configuration that
 * cannot work (a directory that cannot be created or written, a database that cannot be opened, a
 * wrong password) is logged as one line naming the PID, the field and the reason: at activation it
 * fails activation; as a change of a running store ({@link #modified}) it is refused and the store
 * in service stays.
 *
 * <p>The component registers the store service itself ({@link PublishedStore}) instead of being the
 * DS service: a new directory, user or password opens the new database first, registers it, and
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
    configurationPid = H2StoreComponent.PID,
    configurationPolicy = ConfigurationPolicy.REQUIRE)
@Designate(ocd = H2StoreComponent.Config.class)
public final class H2StoreComponent {
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

  private final DataSourceFactory factory;
  private final PublishedStore published;

  /**
   * Opens the store and registers it.
   *
   * @throws IllegalArgumentException if the configuration cannot work (logged first)
   */
  @Activate
  public H2StoreComponent(
      @Reference(name = "dataSourceFactory", target = "(osgi.jdbc.driver.class=org.h2.Driver)")
          DataSourceFactory factory,
      Config config,
      Map<String, Object> properties,
      BundleContext context) {
    this(factory, config, properties, PublishedStore.publisher(context));
  }

  /** As DS does, with the service registry given (unit tests). */
  H2StoreComponent(
      DataSourceFactory factory,
      Config config,
      Map<String, Object> properties,
      PublishedStore.Publisher publisher) {
    this.factory = factory;
    this.published = new PublishedStore(PID, "h2", LOG, publisher);
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
    String raw = String.valueOf(config.directory());
    Path dir;
    try {
      dir = Path.of(raw).toAbsolutePath().normalize();
    } catch (InvalidPathException e) {
      dir = null; // reported by open()
    }
    Path directory = dir;
    String user = config.user();
    String password = config._password();
    return new PublishedStore.Settings(
        Arrays.asList(directory == null ? raw : directory, user, password),
        directory == null ? raw : directory.toString(),
        () -> open(raw, directory, user, password));
  }

  private JdbcMetadataStore open(String raw, Path directory, String user, String password) {
    if (directory == null || raw.isBlank()) {
      throw new InvalidConfiguration("directory", "'" + raw + "' is not a path");
    }
    String problem = H2Stores.prepareDirectory(directory);
    if (problem != null) {
      throw new InvalidConfiguration("directory", "'" + directory + "' " + problem);
    }
    Properties props = new Properties();
    props.setProperty(DataSourceFactory.JDBC_URL, H2Stores.url(directory));
    props.setProperty(DataSourceFactory.JDBC_USER, user);
    props.setProperty(DataSourceFactory.JDBC_PASSWORD, password);
    ConnectionPoolDataSource source;
    try {
      source = factory.createConnectionPoolDataSource(props);
    } catch (SQLException e) {
      throw new InvalidConfiguration("directory", "H2 refused the data source: " + e.getMessage());
    }
    try {
      return H2Stores.open(source);
    } catch (RuntimeException e) {
      throw new InvalidConfiguration(
          "directory/user/password",
          "cannot open the database in '" + directory + "': " + e.getMessage());
    }
  }
}
