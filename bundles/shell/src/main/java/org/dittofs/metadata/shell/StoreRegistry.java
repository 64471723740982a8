package org.dittofs.metadata.shell;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.dittofs.metadata.spi.MetadataStore;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;

/** The registered {@code MetadataStore} services, as the store commands list and match them. */
@FunctionalInterface
interface StoreRegistry {
  /** The stores registered now, by type, name, then service.id. */
  List<StoreService> stores();

  /** The stores in the service registry of {@code context}; services are never got. */
  static StoreRegistry of(BundleContext context) {
    return () -> {
      List<StoreService> stores = new ArrayList<>();
      try {
        for (ServiceReference<MetadataStore> r :
            context.getServiceReferences(MetadataStore.class, null)) {
          Map<String, Object> props = new HashMap<>();
          for (String key : r.getPropertyKeys()) {
            props.put(key, r.getProperty(key));
          }
          stores.add(StoreService.of(props));
        }
      } catch (InvalidSyntaxException e) {
        throw new IllegalStateException(e); // no filter given: cannot happen
      } catch (IllegalStateException e) {
        return List.of(); // the shell's bundle is stopping
      }
      return sorted(stores);
    };
  }

  static List<StoreService> sorted(List<StoreService> stores) {
    return stores.stream()
        .sorted(
            Comparator.comparing(StoreService::type)
                .thenComparing(s -> s.name() == null ? "" : s.name())
                .thenComparingLong(StoreService::serviceId))
        .toList();
  }
}
