package org.dittofs.metadata.shell;

import java.io.IOException;
import java.util.Dictionary;
import java.util.Hashtable;
import org.osgi.framework.Constants;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

/** The {@code store.target} property of the metadata service's configuration. */
interface TargetConfiguration {
  /** The configuration PID of the metadata service. */
  String SERVICE_PID = Usage.SERVICE_PID;

  /** The configuration property that selects the store. */
  String TARGET = "store.target";

  /** {@code store.target} as configured, or null if there is no configuration or no such value. */
  Object configured() throws IOException;

  /** Sets {@code store.target}, keeping the configuration's other properties. */
  void set(String target) throws IOException;

  /** Through Config Admin; reading never creates a configuration. */
  static TargetConfiguration of(ConfigurationAdmin admin) {
    return new TargetConfiguration() {
      @Override
      public Object configured() throws IOException {
        try {
          Configuration[] cs =
              admin.listConfigurations("(" + Constants.SERVICE_PID + "=" + SERVICE_PID + ")");
          if (cs == null || cs.length == 0 || cs[0].getProperties() == null) {
            return null;
          }
          return cs[0].getProperties().get(TARGET);
        } catch (InvalidSyntaxException e) {
          throw new IllegalStateException(e); // a constant filter
        }
      }

      @Override
      public void set(String target) throws IOException {
        Configuration c = admin.getConfiguration(SERVICE_PID, "?");
        Dictionary<String, Object> props = c.getProperties();
        if (props == null) {
          props = new Hashtable<>();
        }
        props.put(TARGET, target);
        c.update(props);
      }
    };
  }
}
