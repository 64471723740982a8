package org.dittofs.metadata.shell;

import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;
import org.apache.felix.service.command.Descriptor;
import org.dittofs.metadata.Share;
import org.dittofs.metadata.errors.StoreError;
import org.dittofs.metadata.host.MetadataManager;
import org.dittofs.metadata.lock.host.LockManager;
import org.dittofs.metadata.spi.MetadataStore;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The {@code store:*} commands: which store the metadata service is bound to, and a hot swap to
 * another one. A swap changes only the {@code store.target} property of the metadata service's
 * configuration (PID {@value #SERVICE_PID}) through Config Admin; the metadata service then selects
 * the store matching it and moves its live state into it while lock traffic waits. A type that is
 * not registered is refused here (the service would stay on its store until one appears).
 */
@Component(
    service = Object.class,
    immediate = true,
    property = {
      "osgi.command.scope=store",
      "osgi.command.function=show",
      "osgi.command.function=swap",
      "osgi.command.function=help"
    })
public final class StoreCommands {
  /** The configuration PID of the metadata service. */
  static final String SERVICE_PID = "org.dittofs.metadata.service";

  static final String TARGET = "store.target";
  private static final long SWAP_TIMEOUT_MILLIS = 30_000;

  private static final String HELP =
      """
      store:show              the bound store, the stores available and what they hold
      store:swap <type>       hot-swap to the store with store.type=<type> (memory, h2, postgres)
                              by changing store.target of configuration %s;
                              locks stay held, lock traffic waits during the copy
      """
          .formatted(SERVICE_PID);

  private final MetadataManager service;
  private final ConfigurationAdmin configurations;
  private final BundleContext context;

  @Activate
  public StoreCommands(
      @Reference MetadataManager service,
      @Reference ConfigurationAdmin configurations,
      BundleContext context) {
    this.service = service;
    this.configurations = configurations;
    this.context = context;
  }

  private static PrintStream out() {
    return System.out;
  }

  @Descriptor("show the bound store, the stores available and what they hold")
  public void show() {
    try {
      MetadataStore store = service.store();
      out()
          .println(
              "store: "
                  + (store == null ? "(none bound)" : store.type())
                  + ", target "
                  + currentTarget().orElse("(not configured)"));
      out().println("available: " + available());
      if (store != null) {
        LockManager m = service.lockManager();
        List<Share> shares = service.shares();
        out()
            .println(
                "holds: "
                    + LockReports.count(m.lockCount(), "lock")
                    + ", server epoch "
                    + m.epoch()
                    + ", shares "
                    + (shares.isEmpty()
                        ? "(none)"
                        : shares.stream()
                            .map(s -> s.name() + " (" + s.lockingMode() + ")")
                            .collect(Collectors.joining(", "))));
      }
    } catch (StoreError e) {
      out().println("error: " + LockCommands.reason(e));
    }
  }

  @Descriptor("hot-swap the metadata service to the store of this type (memory, h2, postgres)")
  public void swap(@Descriptor("store type: memory, h2 or postgres") String type) {
    String t = type.toLowerCase(Locale.ROOT);
    List<String> types = types();
    if (!types.contains(t)) {
      out()
          .println(
              "no MetadataStore with store.type="
                  + t
                  + " is registered (available: "
                  + String.join(", ", types)
                  + "); install and configure its bundle first, staying on "
                  + boundType());
      return;
    }
    String from = boundType();
    if (t.equals(from)) {
      out().println("already on " + t);
      return;
    }
    String target = "(store.type=" + t + ")";
    long start = System.nanoTime();
    try {
      Configuration c = configurations.getConfiguration(SERVICE_PID, "?");
      Dictionary<String, Object> props = c.getProperties();
      if (props == null) {
        props = new Hashtable<>();
      }
      props.put(TARGET, target);
      c.update(props);
    } catch (IOException e) {
      out().println("cannot update configuration " + SERVICE_PID + ": " + e.getMessage());
      return;
    }
    long deadline = start + SWAP_TIMEOUT_MILLIS * 1_000_000;
    while (!t.equals(boundType()) && System.nanoTime() < deadline) {
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    long millis = (System.nanoTime() - start) / 1_000_000;
    if (t.equals(boundType())) {
      out()
          .println(
              "SWAPPED  "
                  + from
                  + " -> "
                  + t
                  + " in "
                  + millis
                  + " ms ("
                  + TARGET
                  + "="
                  + target
                  + "); "
                  + LockReports.count(service.lockManager().lockCount(), "lock")
                  + " held, now persisted in "
                  + t);
    } else {
      out()
          .println(
              "NOT SWAPPED: "
                  + TARGET
                  + " is "
                  + target
                  + " but the service is still on "
                  + boundType()
                  + " after "
                  + millis
                  + " ms; see the log");
    }
  }

  @Descriptor("show the store commands")
  public void help() {
    out().print(HELP);
  }

  private String boundType() {
    MetadataStore s = service.store();
    return s == null ? "(none)" : s.type();
  }

  private Optional<String> currentTarget() {
    try {
      Configuration[] cs =
          configurations.listConfigurations("(" + Constants.SERVICE_PID + "=" + SERVICE_PID + ")");
      if (cs == null || cs.length == 0 || cs[0].getProperties() == null) {
        return Optional.empty();
      }
      Object v = cs[0].getProperties().get(TARGET);
      return Optional.ofNullable(v == null ? null : v.toString());
    } catch (IOException | InvalidSyntaxException e) {
      return Optional.empty();
    }
  }

  /** The registered stores: {@code type (ranking N)}. */
  private String available() {
    List<String> out = new ArrayList<>();
    for (ServiceReference<MetadataStore> r : references()) {
      Object ranking = r.getProperty(Constants.SERVICE_RANKING);
      out.add(r.getProperty("store.type") + " (ranking " + (ranking == null ? 0 : ranking) + ")");
    }
    return out.isEmpty() ? "(none)" : String.join(", ", out.stream().sorted().toList());
  }

  private List<String> types() {
    return references().stream()
        .map(r -> String.valueOf(r.getProperty("store.type")))
        .sorted()
        .toList();
  }

  private Collection<ServiceReference<MetadataStore>> references() {
    try {
      return context.getServiceReferences(MetadataStore.class, null);
    } catch (InvalidSyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}
