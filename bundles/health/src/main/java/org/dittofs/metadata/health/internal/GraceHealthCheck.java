package org.dittofs.metadata.health.internal;

import org.apache.felix.hc.api.HealthCheck;
import org.apache.felix.hc.api.Result;
import org.dittofs.metadata.errors.StoreError;
import org.dittofs.metadata.host.MetadataManager;
import org.dittofs.metadata.lock.GraceStatus;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * WARN while the grace period after a restart runs: new locks are refused (GRACE_PERIOD) until the
 * clients have reclaimed theirs or it runs out. It is expected after every restart that found
 * locks, so it is a warning (the endpoint stays 200), never critical. Without a metadata service or
 * store there is no grace to report: OK, the other checks report that.
 */
@Component(
    service = HealthCheck.class,
    property = {
      HealthCheck.NAME + "=" + GraceHealthCheck.NAME,
      HealthCheck.TAGS + "=" + Checks.TAG,
      HealthCheck.TAGS + "=grace"
    })
public final class GraceHealthCheck implements HealthCheck {
  static final String NAME = "dittofs-grace";

  @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
  volatile MetadataManager service; // set by DS (tests set it directly)

  @Override
  public Result execute() {
    MetadataManager s = service;
    GraceStatus g;
    try {
      g = s == null ? null : s.lockManager().graceStatus();
    } catch (StoreError e) {
      g = null; // no lock manager yet: the attached check says why
    }
    if (g == null || !g.active()) {
      return new Result(Result.Status.OK, "not in a grace period");
    }
    return new Result(
        Result.Status.WARN,
        "grace period: new locks are refused for at most "
            + g.remaining().toSeconds()
            + " s more; "
            + g.reclaimedRecords()
            + " of "
            + g.restoredRecords()
            + " restored records reclaimed, "
            + g.completedClients().size()
            + " of "
            + g.expectedClients().size()
            + " expected clients complete");
  }
}
