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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the runnable's default configurations through Config Admin, each only if it does not
 * exist yet: the metadata service binds the H2 store, and one H2 store instance, the factory
 * configuration {@code org.dittofs.metadata.store.h2~main}, keeps its database under {@code ./data}
 * (none is created if any configuration of the H2 store exists). Plain Felix has no {@code
 * etc/*.cfg} like Karaf; the values come from framework properties instead, so {@code
 * -Ddittofs.store.target=(store.type=memory)} or {@code -Ddittofs.h2.directory=/var/lib/dittofs} on
 * the java command line override them.
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
  static final String H2_NAME = "main";
  static final String TARGET_PROPERTY = "dittofs.store.target";
  static final String DIRECTORY_PROPERTY = "dittofs.h2.directory";

  private static final Logger LOG = LoggerFactory.getLogger("org.dittofs.metadata.runnable");

  @Activate
  public DefaultConfiguration(@Reference ConfigurationAdmin admin, BundleContext context)
      throws IOException, InvalidSyntaxException {
    if (absent(admin, "(" + Constants.SERVICE_PID + "=" + SERVICE_PID + ")")) {
      create(
          admin.getConfiguration(SERVICE_PID, "?"),
          "store.target",
          value(context, TARGET_PROPERTY, "(store.type=h2)"));
    }
    if (absent(
        admin,
        "(|(" + Constants.SERVICE_PID + "=" + H2_PID + ")(service.factoryPid=" + H2_PID + "))")) {
      create(
          admin.getFactoryConfiguration(H2_PID, H2_NAME, "?"),
          "directory",
          value(context, DIRECTORY_PROPERTY, "./data"));
    }
  }

  private static String value(BundleContext context, String property, String fallback) {
    String v = context.getProperty(property);
    return v == null || v.isBlank() ? fallback : v.trim();
  }

  private static boolean absent(ConfigurationAdmin admin, String filter)
      throws IOException, InvalidSyntaxException {
    Configuration[] existing = admin.listConfigurations(filter);
    return existing == null || existing.length == 0;
  }

  /** Gives {@code c} (a multi-location binding, "?") its one property. */
  private static void create(Configuration c, String key, String value) throws IOException {
    Dictionary<String, Object> props = new Hashtable<>();
    props.put(key, value);
    c.update(props);
    LOG.info("configuration " + c.getPid() + " created: " + key + "=" + value);
  }
}
