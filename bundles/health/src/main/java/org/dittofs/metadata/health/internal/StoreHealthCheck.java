package org.dittofs.metadata.health.internal;

import org.apache.felix.hc.api.HealthCheck;
import org.apache.felix.hc.api.Result;
import org.dittofs.metadata.host.MetadataManager;
import org.dittofs.metadata.spi.MetadataStore;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The store answers and its writes are not backing up. The store is asked for its shares (one read
 * transaction); a failure is CRITICAL. Lock store writes that have not landed (releases retried
 * after a store failure) are WARN from one on and CRITICAL from {@code pending.writes.critical}:
 * memory stays authoritative, but a crash would lose them and the grace period after a restart
 * would restore released locks.
 *
 * <p>Thread-safety: {@code service} and {@code critical} are volatile, written by DS.
 */
@Component(
    service = HealthCheck.class,
    property = {
      HealthCheck.NAME + "=" + StoreHealthCheck.NAME,
      HealthCheck.TAGS + "=" + Checks.TAG,
      HealthCheck.TAGS + "=store"
    })
@Designate(ocd = StoreHealthCheck.Config.class)
public final class StoreHealthCheck implements HealthCheck {
  static final String NAME = "dittofs-store";
  static final String PID = "org.dittofs.metadata.health.store";

  @ObjectClassDefinition(
      pid = PID,
      name = "DittoFS store health check",
      description = "When the lock store's pending writes make the health check critical.")
  @interface Config {
    @AttributeDefinition(
        name = "Pending writes: critical",
        description =
            "Lock store writes not landed yet from which the check is CRITICAL (from 1: WARN).")
    int pending_writes_critical() default 100;
  }

  @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
  volatile MetadataManager service; // set by DS (tests set it directly)

  private volatile int critical = 100;

  @Activate
  @Modified
  void configure(Config config) {
    critical = Math.max(1, config.pending_writes_critical());
  }

  @Override
  public Result execute() {
    return Checks.whenAttached(service, "no store is bound: nothing to reach", this::reach);
  }

  /** Whether the store answers a read, and how many lock store writes wait for it. */
  private Result reach(MetadataManager s, MetadataStore store) {
    try {
      s.shares();
    } catch (RuntimeException e) {
      return new Result(
          Result.Status.CRITICAL,
          "store " + store.type() + " does not answer a read: " + e.getMessage(),
          e);
    }
    int pending = s.lockManager().pendingStoreWrites();
    if (pending >= critical) {
      return new Result(
          Result.Status.CRITICAL,
          pending
              + " lock store writes are waiting for store "
              + store.type()
              + " (critical from "
              + critical
              + ")");
    }
    if (pending > 0) {
      return new Result(
          Result.Status.WARN,
          pending + " lock store writes are waiting for store " + store.type() + ", retried");
    }
    return new Result(
        Result.Status.OK, "store " + store.type() + " answers; no lock store writes pending");
  }
}
