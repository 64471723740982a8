package org.dittofs.metadata.internal;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.dittofs.metadata.FileRecord;
import org.dittofs.metadata.MetadataService;
import org.dittofs.metadata.MetadataStore;
import org.dittofs.metadata.RemovePolicy;
import org.dittofs.metadata.Share;
import org.dittofs.metadata.errors.ErrorCode;
import org.dittofs.metadata.errors.StoreError;
import org.dittofs.metadata.lock.ByteRange;
import org.dittofs.metadata.lock.FileHandle;
import org.dittofs.metadata.lock.LockConfig;
import org.dittofs.metadata.lock.LockManager;
import org.dittofs.metadata.lock.LockManagers;
import org.dittofs.metadata.lock.LockMetrics;
import org.dittofs.metadata.lock.LockOwner;
import org.dittofs.metadata.lock.LockScheduler;
import org.dittofs.metadata.lock.SwapReport;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;

/**
 * The metadata service as a Declarative Services component: it owns the lock manager and binds one
 * {@link MetadataStore} through a dynamic, greedy reference named {@code store} whose target comes
 * from the {@code store.target} configuration property.
 *
 * <ul>
 *   <li>The first store bound starts the lock manager over it (restore, epoch, grace).
 *   <li>A replacement (target changed, a better ranked store, the old one going away with another
 *       one available) is a hot swap: DS binds the replacement before unbinding the old one, and
 *       {@link MetadataService#swapStore} copies the live state into it while lock traffic waits.
 *   <li>When the last matching store goes away the service detaches: grants fail with
 *       STORE_UNAVAILABLE, releases keep working and reach the next store with its copy.
 * </ul>
 *
 * <p>The reference is optional (0..1) on purpose: with a mandatory reference DS would deactivate
 * this component when no store is left, and every lock held in memory would be lost; optional keeps
 * the lock state and makes the gap explicit instead.
 *
 * <p>Configuration changes of limits, timeouts and fairness apply at once ({@link #modified}); a
 * bad value is logged with the PID and field, and the previous configuration stays in force.
 *
 * <p>Concurrency: {@code service}, {@code store}, {@code config} and {@code active} are guarded by
 * {@code this} (bind, unbind, modified, activate and deactivate may come from different threads);
 * {@code service} is also volatile so the delegating methods read it without locking.
 */
@Component(
    service = MetadataService.class,
    configurationPid = MetadataServiceComponent.PID,
    immediate = true)
@Designate(ocd = MetadataServiceConfig.class)
public final class MetadataServiceComponent implements MetadataService {
  static final String PID = "org.dittofs.metadata.service";
  private static final System.Logger LOG = System.getLogger("org.dittofs.metadata");

  private final LockMetrics metrics = LockManagers.metrics();
  private final LockScheduler scheduler = LockManagers.systemScheduler();
  private volatile DefaultMetadataService service;
  private MetadataStore store; // the bound store
  private LockConfig lockConfig = LockConfig.DEFAULTS;
  private Duration sweep = Duration.ofMinutes(10);
  private boolean active;

  @Activate
  synchronized void activate(MetadataServiceConfig config) {
    apply(config);
    active = true;
    new MetricsMBean(metrics).register();
    if (store != null) {
      startOver(store);
    } else {
      LOG.log(
          System.Logger.Level.WARNING,
          PID
              + ": no MetadataStore matches store.target "
              + config.store_target()
              + "; lock requests fail with STORE_UNAVAILABLE until one is registered");
    }
  }

  @Modified
  synchronized void modified(MetadataServiceConfig config) {
    apply(config);
    if (service != null) {
      service.locks().reconfigure(lockConfig);
    }
  }

  @Deactivate
  synchronized void deactivate() {
    active = false;
    MetricsMBean.unregister();
    if (service != null) {
      service.close();
      service = null;
    }
  }

  @Reference(
      name = "store",
      service = MetadataStore.class,
      cardinality = ReferenceCardinality.OPTIONAL,
      policy = ReferencePolicy.DYNAMIC,
      policyOption = ReferencePolicyOption.GREEDY,
      unbind = "unbindStore")
  synchronized void bindStore(MetadataStore next) {
    MetadataStore old = store;
    store = next;
    if (!active) {
      return; // activate() starts over it
    }
    if (service == null) {
      LOG.log(System.Logger.Level.INFO, PID + ": store " + next.type() + " bound; starting");
      startOver(next);
      return;
    }
    LOG.log(
        System.Logger.Level.INFO,
        PID + ": switching store " + (old == null ? "(none)" : old.type()) + " -> " + next.type());
    try {
      service.swapStore(next);
    } catch (StoreError e) {
      store = old;
      LOG.log(
          System.Logger.Level.ERROR,
          PID
              + ": could not move to store "
              + next.type()
              + ", staying on "
              + (old == null ? "(none)" : old.type())
              + ": "
              + e.getMessage());
    }
  }

  synchronized void unbindStore(MetadataStore gone) {
    if (gone != store) {
      return; // already replaced: DS bound the successor first
    }
    store = null;
    if (service != null && active) {
      LOG.log(
          System.Logger.Level.WARNING,
          PID
              + ": store "
              + gone.type()
              + " went away and no other matches store.target;"
              + " grants fail with STORE_UNAVAILABLE until a store returns");
      service.swapStore(null);
    }
  }

  private void startOver(MetadataStore s) {
    try {
      service = DefaultMetadataService.start(s, lockConfig, scheduler, sweep, metrics);
    } catch (StoreError e) {
      LOG.log(
          System.Logger.Level.ERROR,
          PID + ": cannot start over store " + s.type() + ": " + e.getMessage());
    }
  }

  /** Turns the configuration into a lock configuration, keeping the previous one if it is bad. */
  private void apply(MetadataServiceConfig c) {
    try {
      LockConfig next =
          LockConfig.builder()
              .maxLocksPerFile(c.max_locks_per_file())
              .maxLocksPerClient(c.max_locks_per_client())
              .maxLocksTotal(c.max_locks_total())
              .maxWaitersPerFile(c.max_waiters_per_file())
              .maxOwnerIdBytes(c.max_owner_id_bytes())
              .maxConnectionsPerAdapter(c.max_connections_per_adapter())
              .lockTimeout(seconds("lock.timeout.seconds", c.lock_timeout_seconds()))
              .leaseTime(seconds("lease.time.seconds", c.lease_time_seconds()))
              .gracePeriod(seconds("grace.period.seconds", c.grace_period_seconds()))
              .storeRetryInterval(Duration.ofMillis(c.store_retry_interval_millis()))
              .fairness(fairness(c.fairness()))
              .build();
      if (c.sweep_interval_seconds() < 0) {
        throw invalid("sweep.interval.seconds", c.sweep_interval_seconds() + " is negative");
      }
      lockConfig = next;
      sweep = Duration.ofSeconds(c.sweep_interval_seconds());
    } catch (StoreError e) {
      LOG.log(
          System.Logger.Level.ERROR,
          "configuration " + PID + " refused, previous configuration kept: " + e.getMessage());
    }
  }

  private static Duration seconds(String field, long value) {
    if (value < 0) {
      throw invalid(field, value + " is negative");
    }
    return Duration.ofSeconds(value);
  }

  private static LockConfig.Fairness fairness(String value) {
    try {
      return LockConfig.Fairness.valueOf(value.trim().toUpperCase(java.util.Locale.ROOT));
    } catch (RuntimeException e) {
      throw invalid("fairness", "'" + value + "' is neither FIFO nor BARGING");
    }
  }

  private static StoreError invalid(String field, String why) {
    return new StoreError(ErrorCode.INVALID_ARGUMENT, "field '" + field + "': " + why);
  }

  private DefaultMetadataService service() {
    DefaultMetadataService s = service;
    if (s == null) {
      throw new StoreError(
          ErrorCode.STORE_UNAVAILABLE,
          "the metadata service has no store yet: register a MetadataStore matching store.target");
    }
    return s;
  }

  // ---- MetadataService, delegated ----

  @Override
  public LockManager locks() {
    return service().locks();
  }

  @Override
  public void putShare(Share share) {
    service().putShare(share);
  }

  @Override
  public Optional<Share> share(String name) {
    return service().share(name);
  }

  @Override
  public List<Share> shares() {
    return service().shares();
  }

  @Override
  public void putFile(FileRecord file) {
    service().putFile(file);
  }

  @Override
  public Optional<FileRecord> file(FileHandle handle) {
    return service().file(handle);
  }

  @Override
  public void removeFile(FileHandle handle, RemovePolicy policy) {
    service().removeFile(handle, policy);
  }

  @Override
  public int sweepOrphans() {
    return service().sweepOrphans();
  }

  @Override
  public void checkRead(FileHandle file, LockOwner owner, ByteRange range) {
    service().checkRead(file, owner, range);
  }

  @Override
  public void checkWrite(FileHandle file, LockOwner owner, ByteRange range) {
    service().checkWrite(file, owner, range);
  }

  @Override
  public synchronized SwapReport swapStore(MetadataStore next) {
    SwapReport r = service().swapStore(next);
    store = next;
    return r;
  }

  @Override
  public MetadataStore store() {
    DefaultMetadataService s = service;
    return s == null ? null : s.store();
  }

  /** Metrics snapshot, for the shell's {@code lock:stats}. */
  public LockMetrics.Snapshot metrics() {
    return metrics.snapshot();
  }

  @Override
  public void close() {
    deactivate();
  }
}
