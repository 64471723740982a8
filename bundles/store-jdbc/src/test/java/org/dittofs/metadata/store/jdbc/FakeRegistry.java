package org.dittofs.metadata.store.jdbc;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.dittofs.metadata.spi.MetadataStore;

/**
 * A service registry for the store components' unit tests: records each {@link MetadataStore} the
 * component registers, its properties, and whether it is still registered; {@link #onUnregister}
 * runs while a store is being unregistered, as a service listener (the metadata service) would.
 */
public final class FakeRegistry implements PublishedStore.Publisher {
  /** One registration, in order. */
  public static final class Entry {
    public final MetadataStore store;
    public Map<String, Object> properties;
    public boolean registered = true;

    Entry(MetadataStore store, Map<String, Object> properties) {
      this.store = store;
      this.properties = properties;
    }
  }

  public final List<Entry> registrations = new ArrayList<>();
  public Consumer<MetadataStore> onUnregister = s -> {};

  @Override
  public PublishedStore.Registration publish(MetadataStore store, Map<String, Object> properties) {
    Entry e = new Entry(store, Map.copyOf(properties));
    registrations.add(e);
    return new PublishedStore.Registration() {
      @Override
      public void setProperties(Map<String, Object> p) {
        e.properties = Map.copyOf(p);
      }

      @Override
      public void unregister() {
        onUnregister.accept(e.store);
        e.registered = false;
      }
    };
  }

  /** The stores registered now, in registration order. */
  public List<MetadataStore> live() {
    return registrations.stream().filter(e -> e.registered).map(e -> e.store).toList();
  }

  public Map<String, Object> properties(MetadataStore store) {
    return registrations.stream()
        .filter(e -> e.store == store && e.registered)
        .findFirst()
        .orElseThrow()
        .properties;
  }
}
