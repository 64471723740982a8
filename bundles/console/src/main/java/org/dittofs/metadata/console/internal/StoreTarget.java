package org.dittofs.metadata.console.internal;

import java.io.IOException;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.Optional;
import org.osgi.framework.Constants;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * The {@code store.target} property of the metadata service's configuration, read and written
 * through Config Admin (the only way to move the component to another store). Thread-safe: Config
 * Admin is.
 */
final class StoreTarget {
  private final ConfigurationAdmin admin;
  private final String pid;
  private final String key;

  StoreTarget(ConfigurationAdmin admin, String pid, String key) {
    this.admin = admin;
    this.pid = pid;
    this.key = key;
  }

  /** The configured filter, empty if the PID has no configuration or no such property. */
  Optional<String> get() {
    try {
      Configuration[] cs = admin.listConfigurations("(" + Constants.SERVICE_PID + "=" + pid + ")");
      if (cs == null || cs.length == 0 || cs[0].getProperties() == null) {
        return Optional.empty();
      }
      Object v = cs[0].getProperties().get(key);
      return Optional.ofNullable(v == null ? null : v.toString());
    } catch (IOException | InvalidSyntaxException e) {
      return Optional.empty();
    }
  }

  /** Sets the filter, keeping the configuration's other properties. */
  void set(String filter) throws IOException {
    Configuration c = admin.getConfiguration(pid, "?");
    Dictionary<String, Object> props = c.getProperties();
    if (props == null) {
      props = new Hashtable<>();
    }
    props.put(key, filter);
    c.update(props);
  }
}
