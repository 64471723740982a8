package org.dittofs.metadata.internal;

import java.time.Duration;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.dittofs.metadata.FileRecord;
import org.dittofs.metadata.MetadataService;
import org.dittofs.metadata.RemovePolicy;
import org.dittofs.metadata.Share;
import org.dittofs.metadata.errors.ErrorCode;
import org.dittofs.metadata.errors.StoreError;
import org.dittofs.metadata.host.MetadataManager;
import org.dittofs.metadata.host.StoreSelection;
import org.dittofs.metadata.lock.ByteRange;
import org.dittofs.metadata.lock.FileHandle;
import org.dittofs.metadata.lock.LockOwner;
import org.dittofs.metadata.lock.LockService;
import org.dittofs.metadata.lock.host.LockConfig;
import org.dittofs.metadata.lock.host.LockManager;
import org.dittofs.metadata.lock.host.LockManagers;
import org.dittofs.metadata.lock.host.LockMetrics;
import org.dittofs.metadata.lock.host.LockScheduler;
import org.dittofs.metadata.lock.host.SwapReport;
import org.dittofs.metadata.spi.MetadataStore;
import org.osgi.framework.Constants;
import org.osgi.framework.Filter;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.InvalidSyntaxException;
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
 * The metadata service as a Declarative Services component: it owns the lock manager and serves
 * from one {@link MetadataStore}, chosen by the {@code store.target} configuration property.
 *
 * <p>Store selection is done here, not by DS: the reference {@code stores} is multiple, dynamic and
 * greedy without a target, so DS tells this component about every registered store (bind, updated,
 * unbind with the service properties), and the component interprets {@code store.target} itself
 * ({@link FrameworkUtil#createFilter}, {@link Filter#matches} on the service properties). A DS
 * target ({@code store.target} as the target of a 0..1 reference) would make SCR unbind the store
 * in use as soon as the filter matched nothing or was malformed, and the service would stop serving
 * because of a typo; selecting here lets a bad target be refused while the service keeps serving.
 *
 * <ul>
 *   <li>Selection: among the registered stores matching the filter, the highest {@code
 *       service.ranking}, then the lowest {@code service.id} (the OSGi service ordering). It is
 *       re-evaluated on every bind, updated, unbind and configuration change.
 *   <li>The first store selected starts the lock manager over it (restore, epoch, grace).
 *   <li>Another store selected (target changed, a better ranked store, the store in use going away
 *       with another one matching) is a hot swap: {@link DefaultMetadataService#swapStore} copies
 *       the live state into it while lock traffic waits. A store that is being unregistered is
 *       still usable while it is unbound, so the copy reads what only it holds.
 *   <li>A malformed {@code store.target} is refused with one log line (PID, field, reason) and the
 *       previous filter stays in force. A filter that matches no registered store keeps the service
 *       on the store it uses (one log line: "staying on ... until one appears"); as soon as a
 *       matching store registers, the service swaps to it.
 *   <li>When the store in use goes away and no registered store matches, the service detaches:
 *       grants fail with STORE_UNAVAILABLE, releases keep working and reach the next matching store
 *       with its copy. Nothing held in memory is lost (the component stays active).
 * </ul>
 *
 * <p>Configuration changes of limits, timeouts and fairness apply at once ({@link #modified}); a
 * bad value is logged with the PID and field, and the previous configuration stays in force.
 *
 * <p>Concurrency: {@code service}, {@code store}, {@code stores}, {@code filter}, {@code
 * targetText}, {@code lockConfig}, {@code sweep}, {@code waitingReported} and {@code active} are
 * guarded by {@code this} (bind, updated, unbind, modified, activate and deactivate may come from
 * different threads); {@code service} is also volatile so the delegating methods read it without
 * locking.
 */
@Component(
    service = {MetadataService.class, MetadataManager.class},
    configurationPid = MetadataServiceComponent.PID,
    immediate = true)
@Designate(ocd = MetadataServiceConfig.class)
public final class MetadataServiceComponent implements MetadataManager {
  static final String PID = "org.dittofs.metadata.service";
  static final String TARGET = "store.target";
  private static final System.Logger LOG = System.getLogger("org.dittofs.metadata");

  /** The registered stores DS told us about, by service.id, in registration order. */
  private final Map<Long, Candidate> stores = new LinkedHashMap<>();

  private final LockMetrics metrics = LockManagers.metrics();
  private final LockScheduler scheduler = LockManagers.systemScheduler();
  private volatile DefaultMetadataService service;
  private MetadataStore store; // the store the service uses (or would start over)
  private Filter filter; // the store.target in force; null until the first valid one
  private String targetText;
  private boolean waitingReported; // "matches nothing" logged for the target in force
  private LockConfig lockConfig = LockConfig.DEFAULTS;
  private Duration sweep = Duration.ofMinutes(10);
  private boolean active;

  /** A registered store with the service properties DS passed. */
  private record Candidate(MetadataStore store, Map<String, Object> properties, long id) {
    int ranking() {
      return properties.get(Constants.SERVICE_RANKING) instanceof Integer r ? r : 0;
    }
  }

  private static final Comparator<Candidate> PREFERENCE =
      Comparator.comparingInt(Candidate::ranking).reversed().thenComparingLong(Candidate::id);

  @Activate
  synchronized void activate(MetadataServiceConfig config) {
    apply(config);
    applyTarget(config.store_target());
    active = true;
    new MetricsMBean(metrics).register();
    reselect();
    if (service == null) {
      LOG.log(
          System.Logger.Level.WARNING,
          PID
              + ": no MetadataStore matches store.target "
              + (targetText == null ? "(none valid)" : targetText)
              + "; lock requests fail with STORE_UNAVAILABLE until one is registered");
      waitingReported = true;
    }
  }

  @Modified
  synchronized void modified(MetadataServiceConfig config) {
    apply(config);
    if (service != null) {
      service.lockManager().reconfigure(lockConfig);
    }
    if (applyTarget(config.store_target())) {
      reselect();
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
      name = "stores",
      service = MetadataStore.class,
      cardinality = ReferenceCardinality.MULTIPLE,
      policy = ReferencePolicy.DYNAMIC,
      policyOption = ReferencePolicyOption.GREEDY,
      updated = "updatedStore",
      unbind = "unbindStore")
  synchronized void bindStore(MetadataStore next, Map<String, Object> properties) {
    Candidate c = candidate(next, properties);
    stores.put(c.id(), c);
    if (active) {
      reselect();
    }
  }

  /** A store's service properties changed (its ranking, say): the choice may change. */
  synchronized void updatedStore(MetadataStore s, Map<String, Object> properties) {
    Candidate c = candidate(s, properties);
    stores.put(c.id(), c);
    if (active) {
      reselect();
    }
  }

  /**
   * A store goes away. It is still usable during this call (it is being unregistered), so a swap to
   * another matching store reads what only the departing store holds.
   */
  synchronized void unbindStore(MetadataStore gone, Map<String, Object> properties) {
    stores.remove(candidate(gone, properties).id());
    if (gone != store) {
      return; // not the one in use
    }
    if (!active || service == null) {
      store = null;
      reselect();
      return;
    }
    Candidate next = best();
    if (next != null) {
      moveTo(next);
      if (store != gone) {
        return;
      }
    }
    store = null;
    LOG.log(
        System.Logger.Level.WARNING,
        PID
            + ": store "
            + gone.type()
            + " went away and no registered store matches store.target "
            + targetText
            + "; grants fail with STORE_UNAVAILABLE until one appears");
    service.swapStore(null);
  }

  private static Candidate candidate(MetadataStore s, Map<String, Object> properties) {
    Object id = properties.get(Constants.SERVICE_ID);
    if (!(id instanceof Long l)) {
      throw new IllegalArgumentException("store service without a service.id: " + properties);
    }
    // service property names are case-insensitive, as Filter.match(ServiceReference) treats them
    Map<String, Object> props = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    props.putAll(properties);
    return new Candidate(s, Collections.unmodifiableMap(props), l);
  }

  /**
   * Parses {@code store.target}; a malformed filter is refused with one log line and the previous
   * one stays. Returns whether the filter in force changed.
   */
  private boolean applyTarget(String text) {
    String t = text == null ? "" : text.trim();
    if (t.equals(targetText)) {
      return false;
    }
    Filter f;
    try {
      f = FrameworkUtil.createFilter(t);
    } catch (InvalidSyntaxException | RuntimeException e) {
      LOG.log(
          System.Logger.Level.ERROR,
          "configuration "
              + PID
              + " refused, field '"
              + TARGET
              + "': '"
              + t
              + "' is not a valid LDAP filter ("
              + e.getMessage()
              + "); keeping "
              + (targetText == null ? "no target" : targetText));
      return false;
    }
    filter = f;
    targetText = t;
    waitingReported = false;
    return true;
  }

  /** The preferred registered store matching the filter in force, or null. */
  private Candidate best() {
    if (filter == null) {
      return null;
    }
    return stores.values().stream()
        .filter(c -> filter.matches(c.properties()))
        .min(PREFERENCE)
        .orElse(null);
  }

  /** Serves from the preferred matching store, or stays where it is if none matches. */
  private void reselect() {
    if (!active) {
      return;
    }
    Candidate next = best();
    if (next == null) {
      if (store != null && !waitingReported) {
        waitingReported = true;
        LOG.log(
            System.Logger.Level.WARNING,
            "configuration "
                + PID
                + ", field '"
                + TARGET
                + "': "
                + targetText
                + " matches no registered MetadataStore; staying on "
                + store.type()
                + " until one appears");
      }
      return;
    }
    waitingReported = false;
    if (next.store() != store || service == null) {
      moveTo(next);
    }
  }

  /** Starts over {@code next}, or hot-swaps to it; on failure stays where it is. */
  private void moveTo(Candidate next) {
    MetadataStore s = next.store();
    if (service == null) {
      LOG.log(System.Logger.Level.INFO, PID + ": store " + s.type() + " selected; starting");
      if (startOver(s)) {
        store = s;
      }
      return;
    }
    MetadataStore old = store;
    LOG.log(
        System.Logger.Level.INFO,
        PID + ": switching store " + (old == null ? "(none)" : old.type()) + " -> " + s.type());
    try {
      service.swapStore(s);
      store = s;
    } catch (StoreError e) {
      LOG.log(
          System.Logger.Level.ERROR,
          PID
              + ": could not move to store "
              + s.type()
              + ", staying on "
              + (old == null ? "(none)" : old.type())
              + ": "
              + e.getMessage());
    }
  }

  private boolean startOver(MetadataStore s) {
    try {
      service = DefaultMetadataService.start(s, lockConfig, scheduler, sweep, metrics);
      return true;
    } catch (StoreError e) {
      LOG.log(
          System.Logger.Level.ERROR,
          PID + ": cannot start over store " + s.type() + ": " + e.getMessage());
      return false;
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
  public LockService locks() {
    return service().locks();
  }

  @Override
  public LockManager lockManager() {
    return service().lockManager();
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

  /**
   * Refused: this component chooses its store from {@code store.target} and swaps by itself; a swap
   * made behind its back would be undone by the next selection.
   */
  @Override
  public SwapReport swapStore(MetadataStore next) {
    throw new StoreError(
        ErrorCode.NOT_SUPPORTED,
        "the store of "
            + PID
            + " follows its store.target configuration: set store.target (Config Admin, or"
            + " store:swap in the shell) to move to another store");
  }

  @Override
  public MetadataStore store() {
    DefaultMetadataService s = service;
    return s == null ? null : s.store();
  }

  /** The filter in force, the store in use (by service.id) and whether none matches. */
  @Override
  public synchronized Optional<StoreSelection> storeSelection() {
    MetadataStore inUse = store();
    Long id =
        stores.values().stream()
            .filter(c -> c.store() == inUse)
            .map(Candidate::id)
            .findFirst()
            .orElse(null);
    return Optional.of(new StoreSelection(targetText, id, best() == null));
  }

  /**
   * Refused: the component's life follows its bundle and configuration (stop the bundle, or disable
   * the component, to stop the service cleanly).
   */
  @Override
  public void close() {
    throw new StoreError(
        ErrorCode.NOT_SUPPORTED,
        PID
            + " is stopped with its bundle or component (bundle:stop, scr:disable), not by a caller");
  }
}
