package org.dittofs.metadata.internal;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.dittofs.metadata.MetadataService;
import org.dittofs.metadata.errors.ErrorCode;
import org.dittofs.metadata.errors.StoreError;
import org.dittofs.metadata.host.MetadataManager;
import org.dittofs.metadata.host.StoreSelection;
import org.dittofs.metadata.lock.host.LockManagers;
import org.dittofs.metadata.lock.host.LockMetrics;
import org.dittofs.metadata.lock.host.LockScheduler;
import org.dittofs.metadata.lock.host.SwapReport;
import org.dittofs.metadata.spi.ClusteredMetadataStore;
import org.dittofs.metadata.spi.MetadataStore;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The metadata service as a Declarative Services component: it owns the lock manager and serves
 * from one {@link MetadataStore}, chosen by the {@code store.target} configuration property.
 *
 * <p>Store selection is done here, not by DS: the reference {@code stores} is multiple, dynamic and
 * greedy without a target, so DS tells this component about every registered store (bind, updated,
 * unbind with the service properties), and the component interprets {@code store.target} itself
 * ({@link StoreChoice}). A DS target ({@code store.target} as the target of a 0..1 reference) would
 * make SCR unbind the store in use as soon as the filter matched nothing or was malformed, and the
 * service would stop serving because of a typo; selecting here lets a bad target be refused while
 * the service keeps serving.
 *
 * <ul>
 *   <li>Selection: among the registered stores matching the filter, the highest {@code
 *       service.ranking}, then the lowest {@code service.id}. It is re-evaluated on every bind,
 *       updated, unbind and configuration change.
 *   <li>The first store selected starts the lock manager over it (restore, epoch, grace).
 *   <li>Another store selected (target changed, a better ranked store, the store in use going away
 *       with another one matching) is a hot swap: {@link DefaultMetadataService#swapStore} copies
 *       the live state into it while lock traffic waits. A store that is being unregistered is
 *       still usable while it is unbound, so the copy reads what only it holds.
 *   <li>A selected store that cannot be used yet (its database is unreachable: it answers
 *       STORE_UNAVAILABLE) is retried in the background with a bounded backoff ({@value
 *       #RETRY_FIRST_SECONDS} s doubling to {@value #RETRY_MAX_SECONDS} s); one log line when it
 *       fails, one when it succeeds.
 *   <li>A malformed {@code store.target} is refused with one log line (PID, field, reason) and the
 *       previous filter stays in force; at the first configuration the default {@value
 *       ServiceSettings#DEFAULT_TARGET} is in force instead. A filter that matches no registered
 *       store keeps the service on the store it uses ("staying on ... until one appears"); as soon
 *       as a matching store registers, the service swaps to it. A configuration without {@code
 *       store.target} means the default at the first configuration only; later it keeps the target
 *       in force (a warning when the line goes, if that target is not the default). Karaf's file
 *       install can hand over a configuration read from a half-written {@code .cfg} (e.g. while it
 *       writes back what {@code config:property-set} changed), and a missing line must not move a
 *       durable server's locks into memory and back (docs/decisions.md).
 *   <li>When the store in use goes away and no registered store matches, the service detaches:
 *       grants fail with STORE_UNAVAILABLE, releases keep working and reach the next matching store
 *       with its copy. Nothing held in memory is lost (the component stays active).
 *   <li>When the store in use goes away because the framework is stopping (Karaf's {@code
 *       system:shutdown} stops the store bundles first), that is a clean shutdown: the lock manager
 *       is closed while the departing store is still usable, so its writes land and the
 *       clean-shutdown marker is set; the next start enters no grace unless locks were held.
 * </ul>
 *
 * <p>Configuration is taken as a map and read by {@link ServiceSettings}: a value of any type that
 * cannot be used is one log line (PID, field, value, reason; not repeated while the value stays)
 * and keeps the value in force; nothing is thrown out of activate or modified, so the component
 * never ends in FAILED ACTIVATION and a corrected value applies at once. {@link
 * MetadataServiceConfig} describes the fields to the metatype service.
 *
 * <p>Concurrency: {@code service}, {@code current}, {@code choice}, {@code settings}, {@code
 * retry}, {@code startupCheck}, {@code retryDelay}, {@code failing}, {@code waitingReported},
 * {@code stopping} and {@code active} are guarded by {@code this} (bind, updated, unbind, modified,
 * activate, deactivate and the retry timer may come from different threads); {@code service} is
 * also volatile so the delegating methods read it without locking.
 */
@Component(
    service = {MetadataService.class, MetadataManager.class},
    configurationPid = ServiceSettings.PID,
    immediate = true)
@Designate(ocd = MetadataServiceConfig.class)
public final class MetadataServiceComponent extends DelegatingMetadataManager {
  static final String PID = ServiceSettings.PID;
  static final String TARGET = ServiceSettings.TARGET;
  static final long RETRY_FIRST_SECONDS = 1;
  static final long RETRY_MAX_SECONDS = 30;
  static final long STORE_EXPECTED_WITHIN_SECONDS = 30;
  private static final Logger LOG = LoggerFactory.getLogger("org.dittofs.metadata");

  private final StoreChoice choice = new StoreChoice();
  private final LockMetrics metrics = LockManagers.metrics();
  private final LockScheduler scheduler;
  private volatile DefaultMetadataService service;
  private StoreChoice.Candidate current; // the store the service uses
  private ServiceSettings settings = ServiceSettings.DEFAULTS;
  private boolean waitingReported; // "matches nothing" logged for the target in force
  private String failing; // the store whose failure was logged, until it works
  private LockScheduler.Timer retry;
  private LockScheduler.Timer startupCheck; // the warning if no store comes after activation
  private Duration retryDelay = Duration.ofSeconds(RETRY_FIRST_SECONDS);
  private BundleContext context;
  private boolean stopping; // the framework stops: no new start
  private boolean active;

  /** As DS makes it: the lock manager's timers and this component's retries on system time. */
  public MetadataServiceComponent() {
    this(LockManagers.systemScheduler());
  }

  /** With the time of {@code scheduler} (tests). */
  MetadataServiceComponent(LockScheduler scheduler) {
    this.scheduler = scheduler;
  }

  @Activate
  synchronized void activate(BundleContext context, Map<String, Object> properties) {
    this.context = context;
    apply(properties);
    active = true;
    new MetricsMBean(metrics).register();
    reselect();
    if (service == null && failing == null) {
      // the usual start: the store bundles start after this one; a warning only if none comes
      LOG.info(PID + ": waiting for a MetadataStore matching store.target " + choice.target());
      startupCheck =
          scheduler.schedule(
              this::warnIfStillWaiting, Duration.ofSeconds(STORE_EXPECTED_WITHIN_SECONDS));
    }
  }

  private synchronized void warnIfStillWaiting() {
    startupCheck = null;
    if (active && !stopping && service == null && failing == null) {
      LOG.warn(
          PID
              + ": no MetadataStore matches store.target "
              + choice.target()
              + " after "
              + STORE_EXPECTED_WITHIN_SECONDS
              + " s; lock requests fail with STORE_UNAVAILABLE until one is registered");
      waitingReported = true;
    }
  }

  @Modified
  synchronized void modified(Map<String, Object> properties) {
    if (apply(properties)) {
      reselect();
    }
  }

  @Deactivate
  synchronized void deactivate() {
    active = false;
    cancelRetry();
    if (startupCheck != null) {
      startupCheck.cancel();
      startupCheck = null;
    }
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
    choice.put(next, properties);
    reselect();
  }

  /** A store's service properties changed (its ranking, say): the choice may change. */
  synchronized void updatedStore(MetadataStore s, Map<String, Object> properties) {
    StoreChoice.Candidate c = choice.put(s, properties);
    if (current != null && current.id() == c.id()) {
      current = c;
    }
    reselect();
  }

  /**
   * A store goes away. It is still usable during this call (it is being unregistered), so a swap to
   * another matching store reads what only the departing store holds, and a framework shutdown
   * closes the lock manager over it cleanly.
   */
  synchronized void unbindStore(MetadataStore gone, Map<String, Object> properties) {
    choice.remove(properties);
    if (current == null
        || !Long.valueOf(current.id()).equals(properties.get(Constants.SERVICE_ID))) {
      return; // not the one in use
    }
    StoreChoice.Candidate leaving = current;
    if (!active || service == null) {
      current = null;
      reselect();
      return;
    }
    if (service.clustered() && !frameworkStopping()) {
      // the node leaves the cluster; its clients fail over to other nodes or come back here
      service.close();
      service = null;
      current = null;
      LOG.warn(
          PID + ": cluster store " + leaving.label() + " went away; this node left the cluster");
      reselect();
      return;
    }
    if (frameworkStopping()) {
      stopping = true;
      cancelRetry();
      service.close();
      service = null;
      current = null;
      LOG.info(
          PID + ": the framework is stopping; lock manager closed cleanly over " + leaving.label());
      return;
    }
    StoreChoice.Candidate next = choice.best();
    if (next != null) {
      moveTo(next);
      if (current != leaving) {
        return;
      }
    }
    current = null;
    LOG.warn(
        PID
            + ": store "
            + leaving.label()
            + " went away and no registered store matches store.target "
            + choice.target()
            + "; grants fail with STORE_UNAVAILABLE until one appears");
    service.swapStore(null);
  }

  private boolean frameworkStopping() {
    try {
      return context != null && context.getBundle(0).getState() == Bundle.STOPPING;
    } catch (IllegalStateException e) {
      return true; // our context is no longer valid: the bundle (and so the framework) is going
    }
  }

  /**
   * Reads a configuration: each refused value is one log line and keeps the value in force; the new
   * lock configuration applies at once. Returns whether the store target changed.
   */
  private boolean apply(Map<String, Object> properties) {
    ServiceSettings previous = settings;
    ServiceSettings next = ServiceSettings.read(properties, settings);
    // a value refused at the previous change and still there is not logged again
    next.problems().stream()
        .filter(line -> !settings.problems().contains(line))
        .forEach(line -> LOG.error(line));
    settings = next;
    if (service != null) {
      service.lockManager().reconfigure(next.lock());
    }
    String text = next.target();
    if (text == null && choice.target() != null) {
      // logged when the line goes, not again at each change while it stays away
      if (previous.target() != null && !ServiceSettings.DEFAULT_TARGET.equals(choice.target())) {
        LOG.warn(
            "configuration "
                + PID
                + ", field '"
                + TARGET
                + "': not set; keeping "
                + choice.target()
                + " (a configuration without it never moves the locks; to serve from memory set "
                + TARGET
                + "="
                + ServiceSettings.DEFAULT_TARGET
                + ")");
      }
      return false;
    }
    if (text == null) {
      text = ServiceSettings.DEFAULT_TARGET;
    }
    String refused = choice.target(text);
    if (refused == null) {
      waitingReported = false;
      return true;
    }
    if (!refused.isEmpty()) {
      LOG.error(
          "configuration "
              + PID
              + ", field '"
              + TARGET
              + "': '"
              + text
              + "' is "
              + refused
              + "; keeping "
              + (choice.target() == null ? "no target" : choice.target()));
      if (choice.target() == null) {
        choice.target(ServiceSettings.DEFAULT_TARGET);
        LOG.warn(
            PID + ": using the default " + ServiceSettings.DEFAULT_TARGET + " until it is fixed");
        return true;
      }
    }
    return false;
  }

  /** Serves from the preferred matching store, or stays where it is if none matches. */
  private void reselect() {
    if (!active || stopping) {
      return;
    }
    StoreChoice.Candidate next = choice.best();
    if (next == null) {
      if (current != null && !waitingReported) {
        waitingReported = true;
        LOG.warn(
            "configuration "
                + PID
                + ", field '"
                + TARGET
                + "': "
                + choice.target()
                + " matches no registered MetadataStore; staying on "
                + current.label()
                + " until one appears");
      }
      return;
    }
    waitingReported = false;
    if (current == null || next.id() != current.id() || service == null) {
      moveTo(next);
    }
  }

  /** Starts over {@code next}, or hot-swaps to it; on failure stays where it is and retries. */
  private void moveTo(StoreChoice.Candidate next) {
    String from = current == null ? "(none)" : current.label();
    try {
      if (service != null
          && (service.clustered() || next.store() instanceof ClusteredMetadataStore)) {
        restartOver(next, from);
      } else if (service == null) {
        LOG.info(PID + ": store " + next.label() + " selected; starting");
        service = startOver(next.store());
      } else {
        LOG.info(PID + ": switching store " + from + " -> " + next.label());
        service.swapStore(next.store());
      }
      current = next;
      cancelRetry();
      retryDelay = Duration.ofSeconds(RETRY_FIRST_SECONDS);
      if (failing != null) {
        LOG.info(PID + ": store " + next.label() + " works again");
        failing = null;
      }
    } catch (StoreError e) {
      String what = next.id() + ":" + e.code();
      if (!what.equals(failing)) {
        failing = what;
        LOG.error(
            PID
                + ": cannot use store "
                + next.label()
                + (service == null ? "" : ", staying on " + from)
                + ": "
                + e.getMessage()
                + "; retrying in the background");
      }
      scheduleRetry();
    }
  }

  /**
   * Moves into or out of a cluster store (docs/cluster.md): nothing is copied, the lock manager
   * starts over the other store. A single node that holds locks, opens or waiters is not left: its
   * clients would lose them; the operator releases them first (or restarts over the cluster store).
   */
  private void restartOver(StoreChoice.Candidate next, String from) {
    int held = service.clustered() ? 0 : service.lockManager().files().size();
    if (held > 0) {
      throw new StoreError(
          ErrorCode.LOCKED,
          "moving to a cluster store copies nothing, and this server holds locks, opens or"
              + " waiters on "
              + held
              + (held == 1 ? " file" : " files")
              + "; release them first, or restart the server over the cluster store");
    }
    LOG.info(
        PID + ": restarting the lock manager: " + from + " -> " + next.label() + " (cluster mode)");
    service.close();
    service = null;
    service = startOver(next.store());
  }

  /** A new service over {@code store} with the settings in force, counted by the metrics. */
  private DefaultMetadataService startOver(MetadataStore store) {
    LockManagers.Builder locks = LockManagers.builder().config(settings.lock()).listener(metrics);
    return DefaultMetadataService.start(store, locks, scheduler, settings.sweep());
  }

  private void scheduleRetry() {
    if (retry != null || !active || stopping) {
      return;
    }
    Duration delay = retryDelay;
    Duration doubled = delay.multipliedBy(2);
    Duration max = Duration.ofSeconds(RETRY_MAX_SECONDS);
    retryDelay = doubled.compareTo(max) > 0 ? max : doubled;
    retry =
        scheduler.schedule(
            () -> {
              synchronized (this) {
                retry = null;
                reselect();
              }
            },
            delay);
  }

  private void cancelRetry() {
    if (retry != null) {
      retry.cancel();
      retry = null;
    }
  }

  /** The operator's view of the choice (host API): the target in force, the store in use. */
  @Override
  public synchronized Optional<StoreSelection> storeSelection() {
    return Optional.of(
        new StoreSelection(
            choice.target(),
            current == null || service == null ? null : current.id(),
            choice.best() == null));
  }

  @Override
  DefaultMetadataService serving() {
    return service;
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
