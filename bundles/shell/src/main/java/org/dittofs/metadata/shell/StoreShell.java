package org.dittofs.metadata.shell;

import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;
import org.dittofs.metadata.Share;
import org.dittofs.metadata.errors.StoreError;
import org.dittofs.metadata.host.MetadataManager;
import org.dittofs.metadata.host.StoreSelection;
import org.dittofs.metadata.lock.host.LockManager;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Filter;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The {@code store:*} commands, whatever shell runs them: which store the metadata service uses and
 * why, and a hot swap to another one.
 *
 * <p>The metadata service chooses its store itself from the {@code store.target} property of its
 * configuration (PID {@value TargetConfiguration#SERVICE_PID}); {@link
 * MetadataManager#storeSelection()} tells which filter is in force (a malformed one is refused and
 * the previous one stays), which store is in use and whether none matches. {@code store:show}
 * reports that, the configured value when it differs (and why), and every registered store. {@code
 * store:swap} sets {@code store.target} through Config Admin unless the filter in force, the
 * configured value and the store in use all agree already, then waits until the service has applied
 * it and reports where it is.
 *
 * <p>Stateless; thread-safe.
 */
@Component(service = StoreShell.class, immediate = true)
public final class StoreShell {
  /** How long a swap waits for the service to apply the new target. */
  static final Duration APPLY_TIMEOUT = Duration.ofSeconds(30);

  private final MetadataManager service;
  private final StoreRegistry registry;
  private final TargetConfiguration configuration;
  private final Duration applyTimeout;

  @Activate
  public StoreShell(
      @Reference MetadataManager service,
      @Reference ConfigurationAdmin configurations,
      BundleContext context) {
    this(service, StoreRegistry.of(context), TargetConfiguration.of(configurations), APPLY_TIMEOUT);
  }

  StoreShell(
      MetadataManager service,
      StoreRegistry registry,
      TargetConfiguration configuration,
      Duration applyTimeout) {
    this.service = service;
    this.registry = registry;
    this.configuration = configuration;
    this.applyTimeout = applyTimeout;
  }

  /** The overview of the store commands ({@code store:help}). */
  public void help(PrintStream out) {
    out.print(Usage.STORE_HELP);
  }

  /** {@value Usage#SHOW}. */
  public void show(PrintStream out, String... args) {
    if (LockShell.help(out, args, Usage.SHOW, Usage.SHOW_TEXT)) {
      return;
    }
    if (args.length > 0) {
      throw UsageException.usage(Usage.SHOW);
    }
    Optional<StoreSelection> selection = service.storeSelection();
    List<StoreService> stores = registry.stores();
    Filter target = selection.map(StoreSelection::target).map(StoreShell::filter).orElse(null);
    Long inUseId = selection.map(StoreSelection::storeServiceId).orElse(null);
    String inUse = inUse(stores, inUseId);
    out.println("store in use: " + inUse);
    if (selection.isEmpty()) {
      out.println("target in force: none (this service's host chooses its store)");
    } else {
      StoreSelection s = selection.get();
      out.println(
          "target in force: "
              + (s.target() == null
                  ? "none (no valid store.target was ever configured)"
                  : s.target()));
      configuredLine(s).ifPresent(out::println);
      if (s.waiting()) {
        out.println(
            "waiting: no registered store matches the target in force; "
                + (inUseId == null ? "detached" : "staying on " + inUse)
                + " until one registers, then the service moves to it");
      }
    }
    if (stores.isEmpty()) {
      out.println("stores available: none registered");
    } else {
      out.println("stores available:");
      Tables t = new Tables("TYPE", "NAME", "RANKING", "SERVICE.ID", "MATCHES TARGET", "IN USE");
      for (StoreService st : stores) {
        t.row(
            st.type(),
            st.name() == null ? "-" : st.name(),
            st.ranking(),
            st.serviceId(),
            target == null ? "-" : st.matches(target) ? "yes" : "no",
            inUseId != null && inUseId == st.serviceId() ? "yes" : "");
      }
      out.print(t.render("  "));
    }
    out.println(holds());
  }

  /** The configured {@code store.target} when it is not the one in force, and why. */
  private Optional<String> configuredLine(StoreSelection s) {
    Object configured;
    try {
      configured = configuration.configured();
    } catch (IOException e) {
      return Optional.of("configured store.target: unreadable (" + e.getMessage() + ")");
    }
    if (configured == null) {
      return Optional.of(
          "configured store.target: none (configuration "
              + Usage.SERVICE_PID
              + " does not set it: the target in force stays; at a start, the default)");
    }
    String text = configured instanceof String str ? str.trim() : describe(configured);
    if (text.equals(s.target())) {
      return Optional.empty();
    }
    try {
      FrameworkUtil.createFilter(text);
      return Optional.of(
          "configured store.target: " + text + " (not applied yet, or refused: see the log)");
    } catch (InvalidSyntaxException | RuntimeException e) {
      return Optional.of(
          "configured store.target: "
              + text
              + " REFUSED, not a valid LDAP filter ("
              + e.getMessage()
              + "); the target in force stays");
    }
  }

  private String holds() {
    try {
      LockManager m = service.lockManager();
      List<Share> shares = service.shares();
      return "holds: "
          + LockReports.count(m.lockCount(), "lock")
          + ", server epoch "
          + m.epoch()
          + ", shares "
          + (shares.isEmpty()
              ? "(none)"
              : shares.stream()
                  .map(s -> s.name() + " (" + s.lockingMode() + ")")
                  .collect(Collectors.joining(", ")));
    } catch (StoreError e) {
      return "holds: unknown (" + LockShell.reason(e) + ")";
    }
  }

  /** {@value Usage#SWAP}. */
  public void swap(PrintStream out, String... args) {
    if (LockShell.help(out, args, Usage.SWAP, Usage.SWAP_TEXT)) {
      return;
    }
    if (args.length < 1 || args.length > 2 || Arrays.asList(args).contains(null)) {
      throw UsageException.usage(Usage.SWAP);
    }
    String type = args[0];
    String name = args.length == 2 ? args[1] : null;
    Optional<StoreSelection> before = service.storeSelection();
    if (before.isEmpty()) {
      out.println(
          "REFUSED  this metadata service does not follow store.target (its host swaps stores);"
              + " nothing changed");
      return;
    }
    List<StoreService> stores = registry.stores();
    List<StoreService> chosen =
        stores.stream()
            .filter(s -> s.type().equalsIgnoreCase(type))
            .filter(s -> name == null || name.equalsIgnoreCase(String.valueOf(s.name())))
            .toList();
    String from = inUse(stores, before.get().storeServiceId());
    if (chosen.isEmpty()) {
      out.println(
          "REFUSED  no MetadataStore with store.type="
              + type
              + (name == null ? "" : " and store.name=" + name)
              + " is registered (available: "
              + (stores.isEmpty()
                  ? "none"
                  : stores.stream().map(StoreService::label).collect(Collectors.joining(", ")))
              + "); install and configure it first. store.target unchanged, staying on "
              + from);
      return;
    }
    String target = targetOf(chosen.get(0).type(), name == null ? null : chosen.get(0).name());
    Object configured;
    try {
      configured = configuration.configured();
    } catch (IOException e) {
      out.println("error: cannot read configuration " + Usage.SERVICE_PID + ": " + e);
      return;
    }
    String previous = configured == null ? null : describe(configured).trim();
    if (target.equals(before.get().target())
        && target.equals(previous)
        && usesOneOf(before.get(), chosen)) {
      out.println("already on " + from + " (store.target=" + target + ")");
      return;
    }
    long start = System.nanoTime();
    try {
      configuration.set(target);
    } catch (IOException e) {
      out.println(
          "error: cannot update configuration "
              + Usage.SERVICE_PID
              + ": "
              + e.getMessage()
              + "; nothing changed");
      return;
    }
    StoreSelection after = awaitApplied(target, start);
    long millis = (System.nanoTime() - start) / 1_000_000;
    String now = inUse(registry.stores(), after.storeServiceId());
    if (!target.equals(after.target())) {
      out.println(
          "NOT APPLIED: store.target is set to "
              + target
              + " but the service still has "
              + after.target()
              + " in force after "
              + millis
              + " ms; staying on "
              + now
              + "; see the log");
    } else if (!usesOneOf(after, chosen)) {
      out.println(
          "NOT SWAPPED: store.target="
              + target
              + " is in force but the service is on "
              + now
              + " after "
              + millis
              + " ms; see the log");
    } else if (Objects.equals(after.storeServiceId(), before.get().storeServiceId())) {
      out.println(
          "TARGET   store.target="
              + target
              + " (was "
              + (previous == null ? "not set" : previous)
              + "); the service stays on "
              + now
              + ", which it matches: no swap needed");
    } else {
      out.println(
          "SWAPPED  "
              + from
              + " -> "
              + now
              + " in "
              + millis
              + " ms (store.target="
              + target
              + "); "
              + lockCount()
              + " held, now persisted in "
              + now);
    }
  }

  /**
   * Waits until the service has {@code target} in force. {@link MetadataManager#storeSelection()}
   * answers once a move in progress has ended, so the store in use is final for that target.
   */
  private StoreSelection awaitApplied(String target, long start) {
    long deadline = start + applyTimeout.toNanos();
    while (true) {
      StoreSelection s = service.storeSelection().orElseThrow();
      if (target.equals(s.target()) || System.nanoTime() > deadline) {
        return s;
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return s;
      }
    }
  }

  private String lockCount() {
    try {
      return LockReports.count(service.lockManager().lockCount(), "lock");
    } catch (StoreError e) {
      return "? locks";
    }
  }

  // ---- completion

  /** The store types registered, with their stores: for completing {@code store:swap <type>}. */
  public List<Suggestion> types() {
    List<Suggestion> out = new ArrayList<>();
    for (StoreService s : registry.stores()) {
      if (out.stream().noneMatch(x -> x.value().equals(s.type()))) {
        List<String> labels =
            registry.stores().stream()
                .filter(o -> o.type().equals(s.type()))
                .map(StoreShell::describeForCompletion)
                .toList();
        out.add(new Suggestion(s.type(), String.join("; ", labels)));
      }
    }
    return out;
  }

  /** The names of the registered stores of {@code type}: for completing {@code store:swap}. */
  public List<Suggestion> names(String type) {
    return registry.stores().stream()
        .filter(s -> s.name() != null && (type == null || s.type().equalsIgnoreCase(type)))
        .map(s -> new Suggestion(s.name(), describeForCompletion(s)))
        .toList();
  }

  private static String describeForCompletion(StoreService s) {
    return s.label() + ", ranking " + s.ranking() + ", service.id " + s.serviceId();
  }

  // ---- helpers

  /** The store in use by its service.id, as {@code type/name (service.id N)}. */
  private static String inUse(List<StoreService> stores, Long id) {
    if (id == null) {
      return "none (detached: grants fail with STORE_UNAVAILABLE, releases are kept)";
    }
    return stores.stream()
        .filter(s -> s.serviceId() == id)
        .findFirst()
        .map(StoreService::label)
        .orElse("service.id " + id);
  }

  private static boolean usesOneOf(StoreSelection s, List<StoreService> stores) {
    return s.storeServiceId() != null
        && stores.stream().anyMatch(x -> x.serviceId() == s.storeServiceId());
  }

  /** The filter selecting stores of a type (and name), values escaped as RFC 1960 says. */
  static String targetOf(String type, String name) {
    String t = "(" + StoreService.TYPE + "=" + escape(type) + ")";
    return name == null ? t : "(&" + t + "(" + StoreService.NAME + "=" + escape(name) + "))";
  }

  private static String escape(String value) {
    StringBuilder b = new StringBuilder();
    for (char c : value.toCharArray()) {
      if (c == '\\' || c == '*' || c == '(' || c == ')') {
        b.append('\\');
      }
      b.append(c);
    }
    return b.toString();
  }

  private static Filter filter(String text) {
    try {
      return FrameworkUtil.createFilter(text);
    } catch (InvalidSyntaxException e) {
      return null; // the service only keeps valid filters
    }
  }

  private static String describe(Object value) {
    return value instanceof Object[] a ? Arrays.toString(a) : String.valueOf(value);
  }
}
