package org.dittofs.metadata.internal;

import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.dittofs.metadata.host.StoreNames;
import org.dittofs.metadata.spi.ClusteredMetadataStore;
import org.dittofs.metadata.spi.MetadataStore;
import org.osgi.framework.Constants;
import org.osgi.framework.Filter;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.InvalidSyntaxException;

/**
 * What the metadata service component chooses its store from: the registered stores (by {@code
 * service.id}, with their service properties) and the {@code store.target} filter in force. The
 * preferred store is the matching one with the highest {@code service.ranking}, then the lowest
 * {@code service.id} (the OSGi service ordering).
 *
 * <p>A store's {@code store.name} is its service property, or else the name of the factory
 * configuration it comes from ({@link StoreNames}), so {@code (store.name=main)} matches the store
 * of {@code org.dittofs.metadata.store.h2~main} or of Karaf's {@code
 * etc/org.dittofs.metadata.store.h2-main.cfg}. A {@code service.ranking} that is not an {@code
 * Integer} (a string from a hand-written .cfg) is read as a number if it is one, else as 0.
 *
 * <p>Not thread-safe: the component's monitor guards it.
 */
final class StoreChoice {
  /** A registered store with the service properties DS passed (names case-insensitive). */
  record Candidate(MetadataStore store, Map<String, Object> properties, long id) {
    int ranking() {
      Object r = properties.get(Constants.SERVICE_RANKING);
      if (r instanceof Integer i) {
        return i;
      }
      try {
        return r == null ? 0 : Integer.parseInt(r.toString().trim());
      } catch (NumberFormatException e) {
        return 0;
      }
    }

    String type() {
      Object t = properties.get("store.type");
      return t == null ? store.type() : t.toString();
    }

    String name() {
      Object n = properties.get(StoreNames.NAME);
      return n == null ? null : n.toString();
    }

    /**
     * "h2 (main)", "postgres cluster (main)" for a store a cluster shares (the plain and the
     * cluster store of one database have the same type and name), or "h2" for a store without a
     * name.
     */
    String label() {
      String kind = store instanceof ClusteredMetadataStore ? type() + " cluster" : type();
      return name() == null ? kind : kind + " (" + name() + ")";
    }
  }

  private static final Comparator<Candidate> PREFERENCE =
      Comparator.comparingInt(Candidate::ranking).reversed().thenComparingLong(Candidate::id);

  private final Map<Long, Candidate> stores = new LinkedHashMap<>();
  private Filter filter; // the store.target in force; null until the first valid one
  private String target;
  private String refused;
  private String refusedReason;

  /** Records a registered store or its new properties; returns the candidate. */
  Candidate put(MetadataStore store, Map<String, Object> properties) {
    Object id = properties.get(Constants.SERVICE_ID);
    if (!(id instanceof Long l)) {
      throw new IllegalArgumentException("store service without a service.id: " + properties);
    }
    // service property names are case-insensitive, as Filter.match(ServiceReference) treats them
    Map<String, Object> props = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    props.putAll(properties);
    String name = StoreNames.of(props);
    if (name != null) {
      props.put(StoreNames.NAME, name);
    }
    Candidate c = new Candidate(store, Collections.unmodifiableMap(props), l);
    stores.put(l, c);
    return c;
  }

  /** Forgets a store that goes away. */
  void remove(Map<String, Object> properties) {
    stores.remove(properties.get(Constants.SERVICE_ID));
  }

  /**
   * Parses and applies a target. Returns null if the filter in force changed, or the reason it was
   * refused (the previous one stays), or "" if it is the one in force already.
   */
  String target(String text) {
    String t = text == null ? "" : text.trim();
    if (t.equals(target)) {
      refused = null;
      refusedReason = null;
      return "";
    }
    try {
      filter = FrameworkUtil.createFilter(t);
    } catch (InvalidSyntaxException | RuntimeException e) {
      refused = t;
      refusedReason = "not a valid LDAP filter (" + e.getMessage() + ")";
      return refusedReason;
    }
    target = t;
    refused = null;
    refusedReason = null;
    return null;
  }

  /** The filter text in force, or null. */
  String target() {
    return target;
  }

  /** The preferred registered store matching the filter in force, or null. */
  Candidate best() {
    if (filter == null) {
      return null;
    }
    return stores.values().stream()
        .filter(c -> filter.matches(c.properties()))
        .min(PREFERENCE)
        .orElse(null);
  }
}
