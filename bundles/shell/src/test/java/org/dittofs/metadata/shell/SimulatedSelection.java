package org.dittofs.metadata.shell;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.dittofs.metadata.host.MetadataManager;
import org.dittofs.metadata.host.StoreSelection;
import org.osgi.framework.Constants;
import org.osgi.framework.Filter;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.InvalidSyntaxException;

/**
 * The store selection of the metadata service component as the README states it, for the store
 * commands' tests: registered stores, a configured {@code store.target}, the filter in force (a
 * malformed one is refused and the previous stays), the preferred matching store (highest ranking,
 * then lowest service.id) in use, staying where it is while nothing matches. A real manager serves
 * everything else ({@link #manager()}).
 */
final class SimulatedSelection implements StoreRegistry, TargetConfiguration {
  private final MetadataManager real;
  private final List<StoreService> stores = new ArrayList<>();
  private Object configured;
  private String inForce;
  private Long inUse;
  private boolean applies = true; // false: the service never sees configuration changes
  private boolean moves = true; // false: every move fails (the service stays where it is)
  int writes; // configuration updates seen

  SimulatedSelection(MetadataManager real) {
    this.real = real;
  }

  /** Registers a store; returns its service.id. */
  long register(String type, String name, int ranking) {
    Map<String, Object> p = new HashMap<>();
    p.put("store.type", type);
    if (name != null) {
      p.put("store.name", name);
    }
    p.put(Constants.SERVICE_RANKING, ranking);
    return register(p);
  }

  /** Registers a store with these service properties (and a new service.id); returns the id. */
  long register(Map<String, Object> properties) {
    long id = 100 + stores.size();
    Map<String, Object> p = new HashMap<>(properties);
    p.put(Constants.SERVICE_ID, id);
    stores.add(StoreService.of(p));
    reselect();
    return id;
  }

  SimulatedSelection ignoreConfiguration() {
    applies = false;
    return this;
  }

  SimulatedSelection failMoves() {
    moves = false;
    return this;
  }

  /** The configuration as a file could hold it: no validation. */
  void configure(Object value) {
    configured = value;
    if (applies && value instanceof String text) {
      try {
        FrameworkUtil.createFilter(text.trim());
        inForce = text.trim();
      } catch (InvalidSyntaxException e) {
        return; // refused: the previous filter stays in force
      }
      reselect();
    }
  }

  private void reselect() {
    Optional<StoreService> best = best();
    if (best.isPresent() && (inUse == null || moves)) {
      inUse = best.get().serviceId();
    }
  }

  private Optional<StoreService> best() {
    if (inForce == null) {
      return Optional.empty();
    }
    Filter f;
    try {
      f = FrameworkUtil.createFilter(inForce);
    } catch (InvalidSyntaxException e) {
      throw new AssertionError(e);
    }
    return stores.stream()
        .filter(s -> s.matches(f))
        .min(
            Comparator.comparingInt(StoreService::ranking)
                .reversed()
                .thenComparingLong(StoreService::serviceId));
  }

  Long inUse() {
    return inUse;
  }

  @Override
  public List<StoreService> stores() {
    return StoreRegistry.sorted(stores);
  }

  @Override
  public Object configured() {
    return configured;
  }

  @Override
  public void set(String target) {
    writes++;
    configure(target);
  }

  /** The real manager, with the simulated selection. */
  MetadataManager manager() {
    return (MetadataManager)
        Proxy.newProxyInstance(
            getClass().getClassLoader(),
            new Class<?>[] {MetadataManager.class},
            (proxy, method, args) -> {
              if (method.getName().equals("storeSelection")) {
                return Optional.of(new StoreSelection(inForce, inUse, best().isEmpty()));
              }
              try {
                return method.invoke(real, args);
              } catch (InvocationTargetException e) {
                throw e.getCause();
              }
            });
  }
}
