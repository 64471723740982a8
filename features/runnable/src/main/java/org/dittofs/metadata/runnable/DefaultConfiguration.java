package org.dittofs.metadata.runnable;

import java.io.IOException;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.Map;
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
 * (none is created if any configuration of the H2 store exists); HTTP (Felix HTTP Jetty) listens on
 * {@code localhost:8080}, serving {@code /metrics}, {@code /health}, the health checks' own servlet
 * at {@code /system/health} and the web console at {@code /system/console}. Plain Felix has no
 * {@code etc/*.cfg} like Karaf; the values come from framework properties instead, so {@code
 * -Ddittofs.store.target=(store.type=memory)}, {@code -Ddittofs.h2.directory=/var/lib/dittofs},
 * {@code -Ddittofs.http.port=9090} or {@code -Ddittofs.http.host=0.0.0.0} on the java command line
 * override them. The launcher keeps no configuration between runs, so the command line of each run
 * is what counts.
 *
 * <p>Cluster mode (docs/cluster.md): with {@code -Ddittofs.cluster.url=jdbc:postgresql://...} the
 * runnable is a node of the cluster that shares that database: one cluster store instance, the
 * factory configuration {@code org.dittofs.metadata.store.postgres.cluster~main}, is created from
 * {@code dittofs.cluster.url}, {@code dittofs.cluster.user} (default {@code dittofs}), {@code
 * dittofs.cluster.password} and {@code dittofs.cluster.node} (default: the host name), the metadata
 * service binds it ({@code (store.cluster=true)}, unless {@code dittofs.store.target} names another
 * store), and no H2 store is configured. Two nodes on one machine differ in {@code
 * dittofs.cluster.node} and {@code dittofs.http.port}.
 *
 * <p>HTTP stays closed until its configuration is here ({@code
 * org.apache.felix.http.require.config=true} in the launch properties): it never listens on Jetty's
 * defaults, even for a moment, and logs nothing until then.
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
  static final String HTTP_PID = "org.apache.felix.http";
  static final String HTTP_PORT_PROPERTY = "dittofs.http.port";
  static final String HTTP_HOST_PROPERTY = "dittofs.http.host";
  static final String CLUSTER_PID = "org.dittofs.metadata.store.postgres.cluster";
  static final String CLUSTER_URL_PROPERTY = "dittofs.cluster.url";
  static final String CLUSTER_TARGET = "(store.cluster=true)";
  static final String DEFAULT_TARGET = "(store.type=h2)";
  static final String HEALTH_SERVLET_FACTORY =
      "org.apache.felix.hc.core.impl.servlet.HealthCheckExecutorServlet";

  private static final Logger LOG = LoggerFactory.getLogger("org.dittofs.metadata.runnable");

  @Activate
  public DefaultConfiguration(@Reference ConfigurationAdmin admin, BundleContext context)
      throws IOException, InvalidSyntaxException {
    String clusterUrl = value(context, CLUSTER_URL_PROPERTY, "");
    String target = value(context, TARGET_PROPERTY, DEFAULT_TARGET);
    if (!clusterUrl.isEmpty() && target.equals(DEFAULT_TARGET)) {
      target = CLUSTER_TARGET;
    }
    createIfAbsent(admin, SERVICE_PID, "store.target", target);
    if (!clusterUrl.isEmpty()) {
      clusterNode(admin, context, clusterUrl);
    } else if (admin.listConfigurations(
            "(|(" + Constants.SERVICE_PID + "=" + H2_PID + ")(service.factoryPid=" + H2_PID + "))")
        == null) {
      Configuration c = admin.getFactoryConfiguration(H2_PID, H2_NAME, "?");
      String directory = value(context, DIRECTORY_PROPERTY, "./data");
      c.update(new Hashtable<>(Map.of("directory", directory)));
      LOG.info("configuration " + c.getPid() + " created: directory=" + directory);
    }
    createIfAbsent(
        admin,
        HTTP_PID,
        Map.of(
            "org.apache.felix.http.enable", "true",
            "org.osgi.service.http.port", port(value(context, HTTP_PORT_PROPERTY, "8080")),
            "org.apache.felix.http.host", value(context, HTTP_HOST_PROPERTY, "localhost")));
    if (admin.listConfigurations("(service.factoryPid=" + HEALTH_SERVLET_FACTORY + ")") == null) {
      Configuration c = admin.getFactoryConfiguration(HEALTH_SERVLET_FACTORY, "dittofs", "?");
      c.update(new Hashtable<>(Map.of("servletPath", "/system/health")));
    }
  }

  /** One cluster store instance, ...postgres.cluster~main, unless one exists. */
  private static void clusterNode(ConfigurationAdmin admin, BundleContext context, String url)
      throws IOException, InvalidSyntaxException {
    if (admin.listConfigurations("(service.factoryPid=" + CLUSTER_PID + ")") != null) {
      return;
    }
    Map<String, String> values = new java.util.HashMap<>();
    values.put("url", url);
    values.put("user", value(context, "dittofs.cluster.user", "dittofs"));
    String password = value(context, "dittofs.cluster.password", "");
    if (!password.isEmpty()) {
      values.put(".password", password);
    }
    String node = value(context, "dittofs.cluster.node", "");
    if (!node.isEmpty()) {
      values.put("cluster.node", node);
    }
    Configuration c = admin.getFactoryConfiguration(CLUSTER_PID, "main", "?");
    c.update(new Hashtable<>(values));
    LOG.info(
        "configuration "
            + c.getPid()
            + " created: url="
            + url
            + (node.isEmpty() ? "" : ", cluster.node=" + node));
  }

  /** The port as a number; a value that is not one is refused with the property's name. */
  private static String port(String v) {
    try {
      int p = Integer.parseInt(v);
      if (p >= 0 && p <= 65535) {
        return v;
      }
    } catch (NumberFormatException e) {
      // below
    }
    throw new IllegalArgumentException(
        HTTP_PORT_PROPERTY + "=" + v + " is not a port number (0 to 65535)");
  }

  private static String value(BundleContext context, String property, String fallback) {
    String v = context.getProperty(property);
    return v == null || v.isBlank() ? fallback : v.trim();
  }

  private static void createIfAbsent(ConfigurationAdmin admin, String pid, String key, String value)
      throws IOException, InvalidSyntaxException {
    createIfAbsent(admin, pid, Map.of(key, value));
  }

  private static void createIfAbsent(
      ConfigurationAdmin admin, String pid, Map<String, String> values)
      throws IOException, InvalidSyntaxException {
    Configuration[] existing =
        admin.listConfigurations("(" + Constants.SERVICE_PID + "=" + pid + ")");
    if (existing != null && existing.length > 0) {
      return;
    }
    // "?": a multi-location binding, so the configuration reaches the bundle that declares the PID
    Configuration c = admin.getConfiguration(pid, "?");
    Dictionary<String, Object> props = new Hashtable<>(values);
    c.update(props);
    LOG.info("configuration " + pid + " created: " + values);
  }
}
