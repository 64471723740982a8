package org.dittofs.metadata.health.internal;

import java.util.function.BiFunction;
import org.apache.felix.hc.api.Result;
import org.dittofs.metadata.host.MetadataManager;
import org.dittofs.metadata.spi.MetadataStore;

/** What the checks share: their tag, their common messages, the service and store they need. */
final class Checks {
  /** The tag of every check here; {@code /health} runs the checks with this tag. */
  static final String TAG = "dittofs";

  static final String NO_SERVICE =
      "no metadata service is registered (bundle org.dittofs.metadata not active, or its"
          + " component not satisfied)";

  private Checks() {}

  /**
   * CRITICAL without a metadata service ({@link #NO_SERVICE}) or without a store ({@code noStore});
   * otherwise what {@code attached} makes of the service and its store (read once).
   */
  static Result whenAttached(
      MetadataManager service,
      String noStore,
      BiFunction<MetadataManager, MetadataStore, Result> attached) {
    if (service == null) {
      return new Result(Result.Status.CRITICAL, NO_SERVICE);
    }
    MetadataStore store = service.store();
    if (store == null) {
      return new Result(Result.Status.CRITICAL, noStore);
    }
    return attached.apply(service, store);
  }
}
