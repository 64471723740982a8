package org.dittofs.metadata.health.internal;

import org.apache.felix.hc.api.HealthCheck;
import org.apache.felix.hc.api.Result;
import org.dittofs.metadata.host.MetadataManager;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * CRITICAL unless the metadata service runs and is attached to a store. Without a store every grant
 * fails with STORE_UNAVAILABLE (releases still work), so a load balancer should stop sending lock
 * traffic here. The reference is optional so that the check reports a missing service instead of
 * disappearing with it.
 */
@Component(
    service = HealthCheck.class,
    property = {
      HealthCheck.NAME + "=" + MetadataAttachedCheck.NAME,
      HealthCheck.TAGS + "=" + Checks.TAG,
      HealthCheck.TAGS + "=metadata"
    })
public final class MetadataAttachedCheck implements HealthCheck {
  static final String NAME = "dittofs-metadata-attached";

  @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
  volatile MetadataManager service; // set by DS (tests set it directly)

  @Override
  public Result execute() {
    return Checks.whenAttached(
        service,
        "the metadata service is attached to no store: lock grants fail with STORE_UNAVAILABLE"
            + " until a store matching store.target of org.dittofs.metadata.service is"
            + " registered",
        (s, store) ->
            new Result(
                Result.Status.OK, "the metadata service is attached to store " + store.type()));
  }
}
