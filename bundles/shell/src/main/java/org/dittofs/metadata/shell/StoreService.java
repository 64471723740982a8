package org.dittofs.metadata.shell;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import org.dittofs.metadata.host.StoreNames;
import org.osgi.framework.Constants;
import org.osgi.framework.Filter;

/**
 * A registered {@code MetadataStore} service as the store commands see it: its service properties,
 * read from the service registry without getting the service (which would activate a delayed
 * store).
 *
 * @param serviceId {@code service.id}
 * @param type {@code store.type}, or {@code "?"} if the service has none
 * @param name {@code store.name}, else the name of the store's factory configuration ({@link
 *     StoreNames}), or null if it has neither
 * @param ranking {@code service.ranking} (0 unless an Integer, as OSGi orders services)
 * @param properties every service property, names case-insensitive as LDAP filters read them
 */
public record StoreService(
    long serviceId, String type, String name, int ranking, Map<String, Object> properties) {
  static final String TYPE = "store.type";
  static final String NAME = StoreNames.NAME;

  /** A store from its service properties, which must include {@code service.id}. */
  static StoreService of(Map<String, Object> properties) {
    Map<String, Object> p = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    p.putAll(properties);
    long id = p.get(Constants.SERVICE_ID) instanceof Long l ? l : -1;
    Object type = p.get(TYPE);
    String name = StoreNames.of(p);
    if (name != null) {
      p.put(NAME, name); // so that store.target filters naming it match here as in the service
    }
    int ranking = p.get(Constants.SERVICE_RANKING) instanceof Integer r ? r : 0;
    return new StoreService(
        id, type == null ? "?" : type.toString(), name, ranking, Collections.unmodifiableMap(p));
  }

  /** Whether {@code filter} (a {@code store.target}) selects this store. */
  boolean matches(Filter filter) {
    return filter.matches(properties);
  }

  /** {@code type} or {@code type/name}. */
  String label() {
    return name == null ? type : type + "/" + name;
  }
}
