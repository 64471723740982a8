package org.dittofs.metadata.shell;

import java.io.PrintStream;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.dittofs.metadata.errors.ErrorCode;
import org.dittofs.metadata.errors.StoreError;
import org.dittofs.metadata.host.MetadataManager;
import org.dittofs.metadata.lock.FileHandle;
import org.dittofs.metadata.lock.GraceStatus;
import org.dittofs.metadata.lock.Lock;
import org.dittofs.metadata.lock.LockClient;
import org.dittofs.metadata.lock.LockFlavour;
import org.dittofs.metadata.lock.LockRequest;
import org.dittofs.metadata.lock.LockResult;
import org.dittofs.metadata.lock.host.LockManager;
import org.dittofs.metadata.lock.host.LockManagers;
import org.dittofs.metadata.lock.host.LockMetrics;
import org.dittofs.metadata.lock.spi.LockQuery;
import org.dittofs.metadata.lock.spi.PersistedLock;
import org.dittofs.metadata.spi.MetadataStore;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;

/**
 * The {@code lock:*} commands, whatever shell runs them (the Gogo functions of the runnable, the
 * Karaf actions): look at the lock table (list, clients, grace, stats) and try things (acquire,
 * release, test, reclaim, complete). Files named here are handles in the {@value DemoShare#NAME}
 * share; an owner acts through the client {@code shell:<owner>}.
 *
 * <p>Each command takes its arguments as typed and parses them itself, so both shells accept the
 * same words and refuse the same mistakes. A command whose arguments contain {@code --help} prints
 * its usage and does nothing else. Arguments that do not fit throw {@link UsageException} before
 * anything is looked at; every other answer is printed, refusals included ({@code REFUSED ...},
 * {@code error: CODE: ...}), so a script goes on after a denied lock.
 *
 * <p>Statistics come from a {@link LockMetrics} listener this component adds to the lock manager;
 * it counts from the moment the shell attached. Registered as a service of this (private) class so
 * that the shell adapters of the same bundle share one instance.
 *
 * <p>Concurrency: {@code attached} and {@code since} are guarded by {@code this}; commands may run
 * from several shell sessions at once.
 */
@Component(service = LockShell.class, immediate = true)
public final class LockShell {
  private final MetadataManager service;
  private final LockMetrics metrics = LockManagers.metrics();
  private final LockCompletions completions = new LockCompletions(this);
  private Instant since; // when the metrics were first attached
  private LockManager attached; // the manager the metrics listen to

  @Activate
  public LockShell(@Reference MetadataManager service) {
    this.service = service;
    try {
      attach();
    } catch (StoreError e) {
      // no store bound yet: the first command attaches
    }
  }

  @Deactivate
  public synchronized void deactivate() {
    if (attached != null) {
      attached.removeListener(metrics);
      attached = null;
    }
  }

  /** The lock manager, with the metrics listener attached to it. */
  private synchronized LockManager attach() {
    LockManager m = service.lockManager();
    if (m != attached) {
      if (attached != null) {
        attached.removeListener(metrics);
      }
      m.addListener(metrics);
      attached = m;
      if (since == null) {
        since = Instant.now();
      }
    }
    return m;
  }

  private synchronized Instant attachedSince() {
    return since;
  }

  /** {@value Usage#NODES}: the nodes of the cluster this lock manager belongs to. */
  public void nodes(PrintStream out, String... args) {
    if (help(out, args, Usage.NODES, Usage.NODES_TEXT)) {
      return;
    }
    if (args.length > 0) {
      throw UsageException.usage(Usage.NODES);
    }
    run(
        out,
        () -> {
          LockManager m = service.lockManager();
          String self = m.clusterNode().orElse(null);
          if (self == null) {
            out.println(
                "not a cluster node: this lock manager serves alone (cluster mode is a"
                    + " configuration of the PostgreSQL store, see docs/cluster.md)");
            return;
          }
          out.println(
              "this node: "
                  + self
                  + ", cluster epoch "
                  + m.epoch()
                  + ", grace "
                  + (m.graceStatus().active() ? "ACTIVE" : "not active"));
          out.print(LockReports.nodes(m.clusterNodes(), self));
        });
  }

  /** The overview of the lock commands ({@code lock:help}). */
  public void help(PrintStream out) {
    out.print(Usage.LOCK_HELP);
  }

  // ---- looking

  /** {@value Usage#LIST}. */
  public void list(PrintStream out, String... args) {
    if (help(out, args, Usage.LIST, Usage.LIST_TEXT)) {
      return;
    }
    if (args.length > 1) {
      throw UsageException.usage(Usage.LIST);
    }
    run(
        out,
        () -> {
          LockManager m = attach();
          List<FileHandle> files =
              args.length == 1 ? List.of(LockArgs.file(args[0], Usage.LIST)) : filesWithLocks();
          long epoch = m.epoch();
          // cluster mode: the node each client belongs to
          Map<LockClient, String> nodes = m.clusterNode().isPresent() ? m.clientNodes() : null;
          int shown = 0;
          for (FileHandle f : files) {
            List<Lock> locks = m.locks(f);
            if (locks.isEmpty() && args.length == 0) {
              continue;
            }
            shown++;
            out.println(DemoShare.display(f) + ": " + LockReports.count(locks.size(), "lock"));
            if (!locks.isEmpty()) {
              out.print(LockReports.locks(locks, epoch, nodes));
            }
          }
          if (shown == 0) {
            out.println("no locks held");
          }
        });
  }

  /** Files with lock records in the store, in name order. */
  private List<FileHandle> filesWithLocks() {
    TreeMap<String, FileHandle> byName = new TreeMap<>();
    lockRecords().forEach(r -> byName.put(DemoShare.display(r.file()), r.file()));
    return List.copyOf(byName.values());
  }

  /** The lock records of the store in use (the live locks once their writes landed). */
  List<PersistedLock> lockRecords() {
    MetadataStore store = service.store();
    if (store == null) {
      throw new StoreError(
          ErrorCode.STORE_UNAVAILABLE,
          "no store is bound: cannot find the files with locks (name one: lock:list <file>)");
    }
    return store.inTransaction(
        tx -> tx.locks().listLocks(LockQuery.all().withKind(PersistedLock.Kind.LOCK)));
  }

  /** {@value Usage#CLIENTS}. */
  public void clients(PrintStream out, String... args) {
    if (help(out, args, Usage.CLIENTS, Usage.CLIENTS_TEXT)) {
      return;
    }
    if (args.length > 0) {
      throw UsageException.usage(Usage.CLIENTS);
    }
    run(out, () -> out.print(LockReports.clients(attach().clients())));
  }

  /** {@value Usage#GRACE}. */
  public void grace(PrintStream out, String... args) {
    if (help(out, args, Usage.GRACE, Usage.GRACE_TEXT)) {
      return;
    }
    if (args.length > 0) {
      throw UsageException.usage(Usage.GRACE);
    }
    run(
        out,
        () -> {
          LockManager m = attach();
          out.println(LockReports.grace(m.graceStatus(), m.epoch()));
        });
  }

  /** {@value Usage#STATS}; {@code all} is accepted for {@code --all}. */
  public void stats(PrintStream out, String... args) {
    if (help(out, args, Usage.STATS, Usage.STATS_TEXT)) {
      return;
    }
    boolean all = args.length == 1 && List.of("-a", "--all", "all").contains(args[0]);
    if (args.length > 1 || (args.length == 1 && !all)) {
      throw UsageException.usage(Usage.STATS);
    }
    run(
        out,
        () -> {
          LockManager m = attach();
          out.print(LockReports.stats(m, metrics.snapshot(), attachedSince(), all));
        });
  }

  // ---- trying things

  /** {@value Usage#ACQUIRE}. */
  public void acquire(PrintStream out, String... args) {
    request(
        out,
        args,
        Usage.ACQUIRE,
        Usage.ACQUIRE_TEXT,
        "REFUSED  ",
        (m, a, r) -> {
          DemoShare.ensure(service);
          LockResult result = m.lock(r);
          if (result instanceof LockResult.Granted g) {
            return "GRANTED  "
                + a.describe(r)
                + (g.lock().range().equals(r.range())
                    ? ""
                    : " (now holds " + g.lock().range() + ")")
                + ", id "
                + g.lock().id();
          }
          return "REFUSED  "
              + a.describe(r)
              + ": conflicts with "
              + ((LockResult.Denied) result).conflict();
        });
  }

  /** {@value Usage#RELEASE}. */
  public void release(PrintStream out, String... args) {
    if (help(out, args, Usage.RELEASE, Usage.RELEASE_TEXT)) {
      return;
    }
    LockArgs a = LockArgs.parse(args, Usage.RELEASE, false);
    run(
        out,
        () -> {
          LockManager m = attach();
          FileHandle f = a.handle();
          LockFlavour held =
              m.locks(f).stream()
                  .filter(l -> l.owner().id().equals(a.owner()))
                  .map(Lock::flavour)
                  .findFirst()
                  .orElse(null);
          var req = a.release(held);
          String what = a.owner() + " " + a.file() + " " + req.range() + " " + req.flavour();
          try {
            m.unlock(req);
            List<String> left =
                m.locks(f).stream()
                    .filter(l -> l.owner().id().equals(a.owner()))
                    .map(l -> l.type() + " " + l.range())
                    .toList();
            out.println(
                "RELEASED "
                    + what
                    + "; "
                    + a.owner()
                    + (left.isEmpty()
                        ? " holds nothing on " + a.file()
                        : " still holds " + String.join(", ", left)));
          } catch (StoreError e) {
            out.println("REFUSED  release " + what + ": " + reason(e));
          }
        });
  }

  /** {@value Usage#TEST}. */
  public void test(PrintStream out, String... args) {
    request(
        out,
        args,
        Usage.TEST,
        Usage.TEST_TEXT,
        "TEST     ",
        (m, a, r) ->
            m.test(r)
                .map(c -> "TEST     " + a.describe(r) + ": would be REFUSED, conflicts with " + c)
                .orElse("TEST     " + a.describe(r) + ": would be GRANTED"));
  }

  /** {@value Usage#RECLAIM}. */
  public void reclaim(PrintStream out, String... args) {
    request(
        out,
        args,
        Usage.RECLAIM,
        Usage.RECLAIM_TEXT,
        "REFUSED  reclaim ",
        (m, a, r) ->
            "RECLAIMED "
                + a.describe(r)
                + ", id "
                + ((LockResult.Granted) m.reclaim(r)).lock().id());
  }

  /** What a command that takes a lock request does with it; returns the line to print. */
  @FunctionalInterface
  private interface RequestCommand {
    String run(LockManager m, LockArgs args, LockRequest request);
  }

  /**
   * A command on one lock request ({@code <owner> <file> <offset> <length|eof> [type] [flavour]}):
   * usage on {@code --help}, the arguments parsed before anything else, then {@code command}; a
   * store error refuses the request with {@code refused} and its code.
   */
  private void request(
      PrintStream out,
      String[] args,
      String usage,
      String text,
      String refused,
      RequestCommand command) {
    if (help(out, args, usage, text)) {
      return;
    }
    LockArgs a = LockArgs.parse(args, usage, true);
    run(
        out,
        () -> {
          LockManager m = attach();
          LockRequest r = a.request();
          try {
            out.println(command.run(m, a, r));
          } catch (StoreError e) {
            out.println(refused + a.describe(r) + ": " + reason(e));
          }
        });
  }

  /** {@value Usage#COMPLETE}. */
  public void complete(PrintStream out, String... owners) {
    if (help(out, owners, Usage.COMPLETE, Usage.COMPLETE_TEXT)) {
      return;
    }
    if (owners.length == 0) {
      throw UsageException.usage(Usage.COMPLETE);
    }
    var clients = Arrays.stream(owners).map(o -> LockArgs.clientOf(o, Usage.COMPLETE)).toList();
    run(
        out,
        () -> {
          LockManager m = attach();
          clients.forEach(m::reclaimComplete);
          GraceStatus g = m.graceStatus();
          out.println(
              "COMPLETE "
                  + clients.stream().map(Object::toString).collect(Collectors.joining(", "))
                  + (g.active()
                      ? "; grace goes on: "
                          + g.completedClients().size()
                          + " of "
                          + g.expectedClients().size()
                          + " expected clients complete"
                      : "; grace period: not active"));
        });
  }

  // ---- helpers

  /**
   * Prints the usage of a command whose arguments ask for it ({@code --help} anywhere, as Karaf
   * reads it) and returns true; the command then does nothing else.
   */
  static boolean help(PrintStream out, String[] args, String usage, String text) {
    if (!Arrays.asList(args).contains("--help")) {
      return false;
    }
    out.println("usage: " + usage);
    out.println("  " + text);
    return true;
  }

  /** Runs a command; a store error (no store bound, say) is printed with its code. */
  private static void run(PrintStream out, Runnable command) {
    try {
      command.run();
    } catch (StoreError e) {
      out.println("error: " + reason(e));
    }
  }

  static String reason(StoreError e) {
    return e.code() + ": " + e.getMessage();
  }

  /** The lock manager, for reading only (the metrics are not attached by this). */
  LockManager manager() {
    return service.lockManager();
  }

  /** What a shell may offer when completing the arguments of these commands. */
  public LockCompletions completions() {
    return completions;
  }
}
