package org.dittofs.metadata.runnable;

import java.io.IOException;
import java.util.Dictionary;
import java.util.Hashtable;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Creates the runnable's default configurations through Config Admin, each only if it does not
 * exist yet: the metadata service binds the H2 store, and the H2 store keeps its database under
 * {@code ./data}. Plain Felix has no {@code etc/*.cfg} like Karaf; the values come from framework
 * properties instead, so {@code -Ddittofs.store.target=(store.type=memory)} or {@code
 * -Ddittofs.h2.directory=/var/lib/dittofs} on the java command line override them.
 *
 * <p>This bundle starts at a lower start level than the metadata bundle, and Declarative Services
 * activates this component while the bundle starts: the metadata service therefore never starts
 * over the wrong store (a later switch would copy an empty table over the persisted locks).
 */
@Component(
    service = {},
    immediate = true)
public final class DefaultConfiguration {
  static final String SERVICE_PID = "org.dittofs.metadata.service";
  static final String H2_PID = "org.dittofs.metadata.store.h2";
  static final String TARGET_PROPERTY = "dittofs.store.target";
  static final String DIRECTORY_PROPERTY = "dittofs.h2.directory";

  private static final System.Logger LOG = System.getLogger("org.dittofs.metadata.runnable");

  @Activate
  public DefaultConfiguration(@Reference ConfigurationAdmin admin, BundleContext context)
      throws IOException, InvalidSyntaxException {
    createIfAbsent(
        admin, SERVICE_PID, "store.target", value(context, TARGET_PROPERTY, "(store.type=h2)"));
    createIfAbsent(admin, H2_PID, "directory", value(context, DIRECTORY_PROPERTY, "./data"));
  }

  private static String value(BundleContext context, String property, String fallback) {
    String v = context.getProperty(property);
    return v == null || v.isBlank() ? fallback : v.trim();
  }

  private static void createIfAbsent(ConfigurationAdmin admin, String pid, String key, String value)
      throws IOException, InvalidSyntaxException {
    Configuration[] existing =
        admin.listConfigurations("(" + Constants.SERVICE_PID + "=" + pid + ")");
    if (existing != null && existing.length > 0) {
      return;
    }
    // "?": a multi-location binding, so the configuration reaches the bundle that declares the PID
    Configuration c = admin.getConfiguration(pid, "?");
    Dictionary<String, Object> props = new Hashtable<>();
    props.put(key, value);
    c.update(props);
    LOG.log(System.Logger.Level.INFO, "configuration " + pid + " created: " + key + "=" + value);
  }
}
