package org.dittofs.metadata.host;

import java.util.Map;

/**
 * The name of a registered {@code MetadataStore} service, as the metadata service's {@code
 * store.target} matches it and as operator tools show it: the {@code store.name} service property
 * if the store has one, else the name of the factory configuration it comes from. So {@code
 * (store.name=main)} selects the store of Config Admin's {@code org.dittofs.metadata.store.h2~main}
 * and of Karaf's {@code etc/org.dittofs.metadata.store.h2-main.cfg} although neither sets {@code
 * store.name}: an operator names an instance once, by its configuration.
 */
public final class StoreNames {
  /** The service property that names a store. */
  public static final String NAME = "store.name";

  private static final String[] KARAF_FILE_KEYS = {
    "felix.fileinstall.filename", "org.apache.karaf.features.configKey"
  };

  private StoreNames() {}

  /**
   * The store's name from its service properties, or null for a store without a name (a plain, not
   * factory, configuration and no {@code store.name}). Property names are looked up as given: pass
   * a case-insensitive map when they may be spelled otherwise.
   */
  public static String of(Map<String, ?> serviceProperties) {
    Object n = serviceProperties.get(NAME);
    return n != null ? n.toString() : configurationName(serviceProperties);
  }

  /**
   * The part of {@code service.pid} after {@code ~} (Config Admin 1.6 named factory
   * configurations), else the part of the Karaf file name or feature configuration key after the
   * factory PID and a dash; null if neither applies.
   */
  private static String configurationName(Map<String, ?> props) {
    if (props.get("service.pid") instanceof String pid) {
      int tilde = pid.indexOf('~');
      if (tilde >= 0 && tilde < pid.length() - 1) {
        return pid.substring(tilde + 1);
      }
    }
    if (!(props.get("service.factoryPid") instanceof String factory)) {
      return null;
    }
    for (String key : KARAF_FILE_KEYS) {
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
