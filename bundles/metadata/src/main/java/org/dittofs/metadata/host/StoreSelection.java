package org.dittofs.metadata.host;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How a metadata service chooses its store, for operator tools ({@code store:show}, {@code
 * store:swap}): the {@code store.target} filter in force, the last target that was refused and why,
 * and the stores the service sees. A snapshot; see {@link MetadataManager#storeSelection()}.
 *
 * @param target the filter in force, or null if there is none (a service outside OSGi, or no valid
 *     target was ever configured)
 * @param refusedTarget the last configured target that was refused (malformed), or null if the
 *     configured target is the one in force
 * @param refusedReason why {@code refusedTarget} was refused, or null
 * @param stores the registered stores the service sees, in preference order (highest ranking, then
 *     lowest service id)
 */
public record StoreSelection(
    String target, String refusedTarget, String refusedReason, List<Candidate> stores) {

  /**
   * One registered store.
   *
   * @param serviceId its {@code service.id}
   * @param type its {@code store.type}
   * @param name its {@code store.name} (the factory configuration name), or null
   * @param ranking its {@code service.ranking} as the service reads it
   * @param matches whether it matches the target in force
   * @param inUse whether the service serves from it
   * @param properties its public service properties
   */
  public record Candidate(
      long serviceId,
      String type,
      String name,
      int ranking,
      boolean matches,
      boolean inUse,
      Map<String, Object> properties) {
    public Candidate {
      properties = Map.copyOf(properties);
    }
  }

  public StoreSelection {
    stores = List.copyOf(Objects.requireNonNull(stores, "stores"));
  }

  /** The store in use, if the service sees it among the registered ones. */
  public java.util.Optional<Candidate> inUse() {
    return stores.stream().filter(Candidate::inUse).findFirst();
  }
}
