package org.dittofs.metadata.store.h2;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.Map;
import java.util.Properties;
import javax.sql.ConnectionPoolDataSource;
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
import org.osgi.service.jdbc.DataSourceFactory;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * An H2 {@link MetadataStore}, one per configuration: a factory configuration of {@value #PID}
 * (Karaf {@code etc/org.dittofs.metadata.store.h2-main.cfg}, Config Admin {@code
 * org.dittofs.metadata.store.h2~main}) makes one component instance, whose store service SCR
 * registers with {@code store.type=h2}, the configuration's public properties and (through the
 * metadata service's reading of {@code service.pid}) the name {@code main}. A plain configuration
 * of the PID makes one unnamed instance. Connections come from H2's own {@link DataSourceFactory}.
 *
 * <p>The store opens its database in the configured directory (created if missing, schema migrated)
 * when activated, or keeps trying in the background while it cannot, answering STORE_UNAVAILABLE
 * meanwhile ({@link ConnectingStore}); a corrected directory, user or password applies at once
 * while it is not open. Once open, its database does not change: another directory is another
 * configuration instance and a {@code store.target} pointing at it (the metadata service hot-swaps
 * the live state into it), then the old instance is deleted. A change of {@code service.ranking} or
 * of any other public property only changes the service properties ({@link #modified}).
 *
 * <p>Configuration is read as a map: a value that cannot be used (a directory that is not a path, a
 * ranking that is not a number) is one log line naming the PID, the field and the reason, and the
 * value in force (or the default) stays. Nothing is thrown out of activate or modified.
 */
@Component(
    service = MetadataStore.class,
    immediate = true,
    configurationPid = H2StoreComponent.PID,
    configurationPolicy = ConfigurationPolicy.REQUIRE,
    property = "store.type=h2")
@Designate(ocd = H2StoreComponent.Config.class, factory = true)
public final class H2StoreComponent extends ConnectingStoreComponent {
  static final String PID = "org.dittofs.metadata.store.h2";
  static final String DEFAULT_DIRECTORY = "./data";

  @ObjectClassDefinition(
      name = "DittoFS H2 metadata store",
      description =
          "Shares, files and lock records in an embedded H2 database file; every commit is on"
              + " disk before it is acknowledged. One database per configuration.")
  interface Config extends StoreAttributes.Password, StoreAttributes.Ranking {
    @AttributeDefinition(
        name = "Directory",
        defaultValue = DEFAULT_DIRECTORY,
        description =
            "Directory of the database file (dittofs.mv.db); created if missing. Relative paths"
                + " are resolved against the working directory. Fixed once the store is open.")
    String directory();

    @AttributeDefinition(
        name = "User",
        defaultValue = H2Stores.DEFAULT_USER,
        description = "Database user; a new database makes this user its administrator.")
    String user();
  }

  private final DataSourceFactory factory;

  /** Opens the store, or starts trying to; never throws. */
  @Activate
  public H2StoreComponent(
      @Reference(name = "dataSourceFactory", target = "(osgi.jdbc.driver.class=org.h2.Driver)")
          DataSourceFactory factory,
      Map<String, Object> properties) {
    super(PID, "h2", properties);
    this.factory = factory;
    open(properties);
  }

  /** A new configuration: see the class comment; never throws. */
  @Modified
  void modified(Map<String, Object> properties) {
    reconfigure(properties);
  }

  @Deactivate
  void deactivate() {
    stop();
  }

  @Override
  protected ConnectingStore.Database database(ConfigurationValues v) {
    StoreConfigurations configurations = configurations();
    String previous = configurations.inForce("directory", DEFAULT_DIRECTORY);
    String raw = v.text("directory", DEFAULT_DIRECTORY);
    Path directory = path(raw);
    if (directory == null) {
      directory = path(v.refuse("directory", raw, "is not a path", previous));
      raw = previous;
    }
    configurations.keep("directory", raw);
    String user = v.text("user", H2Stores.DEFAULT_USER);
    String password = v.secret(".password", "");
    configurations.log(v);
    Path dir = directory;
    return new ConnectingStore.Database(
        Arrays.asList(dir, user, password), dir.toString(), () -> open(dir, user, password));
  }

  private static Path path(String raw) {
    if (raw == null || raw.isBlank()) {
      return null;
    }
    try {
      return Path.of(raw).toAbsolutePath().normalize();
    } catch (InvalidPathException e) {
      return null;
    }
  }

  private JdbcMetadataStore open(Path directory, String user, String password) {
    String problem = H2Stores.prepareDirectory(directory);
    if (problem != null) {
      throw StoreErrors.invalidArgument("directory '" + directory + "' " + problem);
    }
    Properties props = new Properties();
    props.setProperty(DataSourceFactory.JDBC_URL, H2Stores.url(directory));
    props.setProperty(DataSourceFactory.JDBC_USER, user);
    props.setProperty(DataSourceFactory.JDBC_PASSWORD, password);
    ConnectionPoolDataSource source;
    try {
      source = factory.createConnectionPoolDataSource(props);
    } catch (SQLException e) {
      throw StoreErrors.invalidArgument("H2 refused the data source: " + e.getMessage());
    }
    return H2Stores.open(source);
  }
}
