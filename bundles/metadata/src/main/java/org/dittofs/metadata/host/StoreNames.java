package org.dittofs.metadata.host;

import java.util.Map;

/**
 * The name of a registered {@code MetadataStore} ({@code store.name}) as the metadata service reads
 * it from the store's service properties, so that operator tools show and match stores as the
 * service chooses them: the {@code store.name} property if the service has one, else the name of
 * the factory configuration the store comes from, which is the part of its {@code service.pid}
 * after {@code ~} (Config Admin 1.6 named factory configurations, {@code
 * org.dittofs.metadata.store.h2~main}), else the part of the Karaf file name or feature
 * configuration key after the factory PID and a dash ({@code
 * etc/org.dittofs.metadata.store.h2-main.cfg}). A store of a plain (non-factory) configuration has
 * no name.
 *
 * @since 1.1
 */
public final class StoreNames {
  /** The service property that names a store. */
  public static final String PROPERTY = "store.name";

  private StoreNames() {}

  /**
   * The store's name, or null if it has none.
   *
   * @param properties the store's service properties (names as registered, or case-insensitive)
   */
  public static String of(Map<String, ?> properties) {
    Object explicit = properties.get(PROPERTY);
    if (explicit != null) {
      return explicit.toString();
    }
    return configurationName(properties);
  }

  /** The name of the factory configuration the store comes from, or null. */
  static String configurationName(Map<String, ?> props) {
    if (props.get("service.pid") instanceof String pid) {
      int tilde = pid.indexOf('~');
      if (tilde >= 0 && tilde < pid.length() - 1) {
        return pid.substring(tilde + 1);
      }
    }
    if (!(props.get("service.factoryPid") instanceof String factory)) {
      return null;
    }
    for (String key :
        new String[] {"felix.fileinstall.filename", "org.apache.karaf.features.configKey"}) {
      Object v = props.get(key);
      if (v != null) {
        String s = v.toString();
        String file = s.substring(s.lastIndexOf('/') + 1);
        if (file.endsWith(".cfg")) {
          file = file.substring(0, file.length() - 4);
        }
        if (file.startsWith(factory + "-") && file.length() > factory.length() + 1) {
          return file.substring(factory.length() + 1);
        }
      }
    }
    return null;
  }
}
