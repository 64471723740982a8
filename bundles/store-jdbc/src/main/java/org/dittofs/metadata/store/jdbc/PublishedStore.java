package org.dittofs.metadata.store.jdbc;

import java.util.Dictionary;
import java.util.Hashtable;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.dittofs.metadata.spi.MetadataStore;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceRegistration;

/**
 * The {@link MetadataStore} service of a configured JDBC store component (H2, PostgreSQL), which
 * the component registers itself rather than being the DS service, so that a configuration change
 * never leaves the metadata service without its store.
 *
 * <ul>
 *   <li>{@link #activate}: the first configuration opens the store and registers it; a
 *       configuration that cannot work is one log line (PID, field, reason) and an exception, so DS
 *       records the failed activation.
 *   <li>{@link #modified}: connection settings unchanged (a new {@code service.ranking}, say): the
 *       registration's properties are updated, the store stays. Changed: the new database is opened
 *       first; if that fails, one log line and the old store stays registered and serving. If it
 *       succeeds, the new store is registered, then the old one unregistered (the metadata
 *       service's greedy reference binds the new one and hot-swaps into it, copying from the old
 *       store, which is still open), then the old one is closed. So the database never changes
 *       under the running service without the live state moving with it.
 *   <li>{@link #deactivate}: unregisters, then closes.
 * </ul>
 *
 * <p>{@code modified} never throws: Felix SCR treats an exception from a modified method like a
 * missing one and reconfigures by reactivation (deactivate, then activate), which would close the
 * store that is serving.
 *
 * <p>Passwords are never logged: the settings compared between configurations are opaque here, and
 * only {@link InvalidConfiguration} messages (written by the components without secrets) and the
 * {@code where} descriptions are logged. Properties whose name starts with a dot are never
 * published.
 *
 * <p>Concurrency: every field is guarded by {@code this}; DS calls activate, modified and
 * deactivate one at a time per component, the lock makes it explicit.
 */
public final class PublishedStore {
  /** Service properties the framework sets itself; never copied from the configuration. */
  private static final Set<String> FRAMEWORK_PROPERTIES =
      Set.of(
          Constants.OBJECTCLASS,
          Constants.SERVICE_ID,
          Constants.SERVICE_BUNDLEID,
          Constants.SERVICE_SCOPE);

  /** A configuration that cannot work: which field and why (no secrets in the reason). */
  public static final class InvalidConfiguration extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private final String field;
    private final String reason;

    public InvalidConfiguration(String field, String reason) {
      super("invalid configuration of " + field + ": " + reason);
      this.field = field;
      this.reason = reason;
    }

    public String field() {
      return field;
    }

    public String reason() {
      return reason;
    }
  }

  /** One configuration of a store: what identifies its database, and how to open it. */
  public record Settings(Object connection, String where, Supplier<JdbcMetadataStore> opener) {
    public Settings {
      Objects.requireNonNull(connection, "connection");
      Objects.requireNonNull(where, "where");
      Objects.requireNonNull(opener, "opener");
    }

    @Override
    public String toString() {
      return where; // the connection may hold a password
    }
  }

  /** Registers services; the framework's registry in a bundle, a fake one in unit tests. */
  public interface Publisher {
    Registration publish(MetadataStore store, Map<String, Object> properties);
  }

  /** One registered store service. */
  public interface Registration {
    void setProperties(Map<String, Object> properties);

    void unregister();
  }

  private final String pid;
  private final String type;
  private final System.Logger log;
  private final Publisher publisher;
  private JdbcMetadataStore store;
  private Registration registration;
  private Object connection;
  private String where;

  /**
   * @param pid the configuration PID, first word of every log line
   * @param type the {@code store.type} service property
   */
  public PublishedStore(String pid, String type, System.Logger log, Publisher publisher) {
    this.pid = pid;
    this.type = type;
    this.log = log;
    this.publisher = publisher;
  }

  /** Registers {@link MetadataStore} services in the framework through {@code context}. */
  public static Publisher publisher(BundleContext context) {
    return (store, properties) -> {
      ServiceRegistration<MetadataStore> r =
          context.registerService(MetadataStore.class, store, dictionary(properties));
      return new Registration() {
        @Override
        public void setProperties(Map<String, Object> p) {
          r.setProperties(dictionary(p));
        }

        @Override
        public void unregister() {
          try {
            r.unregister();
          } catch (IllegalStateException alreadyGone) {
            // the bundle is stopping: the framework unregistered it
          }
        }
      };
    };
  }

  /**
   * Opens the store of the first configuration and registers it.
   *
   * @throws IllegalArgumentException if it cannot work, with the one line that was logged
   */
  public synchronized void activate(Settings settings, Map<String, Object> configuration) {
    JdbcMetadataStore opened;
    try {
      opened = settings.opener().get();
    } catch (InvalidConfiguration e) {
      String line = pid + ": " + e.getMessage();
      log.log(System.Logger.Level.ERROR, line);
      throw new IllegalArgumentException(line, e);
    }
    store = opened;
    connection = settings.connection();
    where = settings.where();
    registration = publisher.publish(opened, serviceProperties(configuration));
    log.log(System.Logger.Level.INFO, pid + ": " + type + " store open in " + where);
  }

  /** Applies a new configuration without ever leaving no store registered; never throws. */
  public synchronized void modified(Settings settings, Map<String, Object> configuration) {
    if (registration == null) {
      return; // deactivated
    }
    Map<String, Object> properties = serviceProperties(configuration);
    if (settings.connection().equals(connection)) {
      registration.setProperties(properties);
      return;
    }
    JdbcMetadataStore next;
    try {
      next = settings.opener().get();
    } catch (InvalidConfiguration e) {
      log.log(
          System.Logger.Level.ERROR,
          pid + ": " + e.getMessage() + "; the store in " + where + " stays in service");
      return;
    } catch (RuntimeException e) {
      log.log(
          System.Logger.Level.ERROR,
          pid
              + ": cannot apply the new configuration ("
              + e
              + "); the store in "
              + where
              + " stays in service");
      return;
    }
    JdbcMetadataStore old = store;
    Registration oldRegistration = registration;
    String oldWhere = where;
    registration = publisher.publish(next, properties);
    store = next;
    connection = settings.connection();
    where = settings.where();
    oldRegistration.unregister(); // the metadata service moves its state into `next` here
    closeQuietly(old, oldWhere);
    log.log(
        System.Logger.Level.INFO,
        pid + ": " + type + " store moved from " + oldWhere + " to " + where);
  }

  /** Unregisters the store, then closes it. */
  public synchronized void deactivate() {
    if (registration == null) {
      return;
    }
    registration.unregister();
    registration = null;
    closeQuietly(store, where);
  }

  /** The store in service, or null once deactivated. */
  public synchronized JdbcMetadataStore store() {
    return registration == null ? null : store;
  }

  /**
   * The service properties for a configuration: its public properties (a name starting with a dot
   * is private: {@code .password}), {@code store.type}, and {@code service.ranking} as an Integer
   * (a typed-less file may carry it as a string, which the framework would ignore).
   */
  Map<String, Object> serviceProperties(Map<String, Object> configuration) {
    Map<String, Object> p = new TreeMap<>();
    configuration.forEach(
        (k, v) -> {
          if (!k.startsWith(".") && !FRAMEWORK_PROPERTIES.contains(k) && v != null) {
            p.put(k, v);
          }
        });
    p.put("store.type", type);
    Object ranking = configuration.get(Constants.SERVICE_RANKING);
    if (ranking != null && !(ranking instanceof Integer)) {
      try {
        p.put(Constants.SERVICE_RANKING, Integer.valueOf(ranking.toString().trim()));
      } catch (NumberFormatException e) {
        p.remove(Constants.SERVICE_RANKING);
      }
    }
    return p;
  }

  private void closeQuietly(JdbcMetadataStore s, String at) {
    try {
      s.close();
    } catch (RuntimeException e) {
      log.log(System.Logger.Level.WARNING, pid + ": closing the store in " + at + ": " + e);
    }
  }

  private static Dictionary<String, Object> dictionary(Map<String, Object> properties) {
    return new Hashtable<>(properties);
  }
}
