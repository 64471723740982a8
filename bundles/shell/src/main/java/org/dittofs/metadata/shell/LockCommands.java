package org.dittofs.metadata.shell;

import java.io.PrintStream;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.felix.service.command.Descriptor;
import org.dittofs.metadata.errors.StoreError;
import org.dittofs.metadata.host.MetadataManager;
import org.dittofs.metadata.lock.FileHandle;
import org.dittofs.metadata.lock.GraceStatus;
import org.dittofs.metadata.lock.Lock;
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
 * The {@code lock:*} commands: look at the lock table (list, clients, grace, stats) and try things
 * (acquire, release, test, reclaim, complete). Files named here are handles in the {@value
 * DemoShare#NAME} share; an owner acts through the client {@code shell:<owner>}.
 *
 * <p>Every command prints its answer, refusals included, and never throws for a refusal, so a
 * script goes on after a denied lock. Statistics come from a {@link LockMetrics} listener this
 * component adds to the lock manager; it counts from the moment the shell attached.
 */
@Component(
    service = Object.class,
    immediate = true,
    property = {
      "osgi.command.scope=lock",
      "osgi.command.function=list",
      "osgi.command.function=acquire",
      "osgi.command.function=release",
      "osgi.command.function=test",
      "osgi.command.function=reclaim",
      "osgi.command.function=complete",
      "osgi.command.function=clients",
      "osgi.command.function=grace",
      "osgi.command.function=stats",
      "osgi.command.function=help"
    })
public final class LockCommands {
  static final String ACQUIRE =
      "lock:acquire <owner> <file> <offset> <length|eof> [shared|exclusive] [posix|windows]";
  static final String RELEASE = "lock:release <owner> <file> <offset> <length|eof> [posix|windows]";
  static final String TEST =
      "lock:test <owner> <file> <offset> <length|eof> [shared|exclusive] [posix|windows]";
  static final String RECLAIM =
      "lock:reclaim <owner> <file> <offset> <length|eof> [shared|exclusive] [posix|windows]";

  private static final String HELP =
      """
      lock:list [file]        locks per file (all files with locks, or one file)
      %s
                              take a lock now (default exclusive posix); prints GRANTED or
                              REFUSED with the conflicting lock
      %s
                              release bytes (posix: any bytes, splitting; windows: one lock of
                              exactly that range); the flavour defaults to the owner's locks
      %s
                              would it be granted? changes nothing (F_GETLK, NLM_TEST, LOCKT)
      %s
                              take back a lock held before the restart, during the grace period
      lock:complete <owner>...
                              the owners' clients have reclaimed all they want (RECLAIM_COMPLETE);
                              grace ends early once every expected client is complete
      lock:clients            clients known to the lock manager
      lock:grace              the grace period after a restart: remaining time, restored records
      lock:stats [all]        locks, clients and grace now; event counters and wait times since
                              the shell attached (all: zero counters too)
      Offsets and lengths are unsigned 64-bit numbers; length 'eof' (or 0 for posix) locks to the
      end of file, length 0 for windows is a zero-length range. Files are in share '%s'; an owner
      acts through client 'shell:<owner>'.
      """
          .formatted(ACQUIRE, RELEASE, TEST, RECLAIM, DemoShare.NAME);

  private final MetadataManager service;
  private final LockMetrics metrics = LockManagers.metrics();
  private Instant since; // when the metrics were first attached; guarded by this
  private LockManager attached; // the manager the metrics listen to; guarded by this

  @Activate
  public LockCommands(@Reference MetadataManager service) {
    this.service = service;
    try {
      attach();
    } catch (StoreError e) {
      // no store bound yet: the first command attaches
    }
  }

  @Deactivate
  synchronized void deactivate() {
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

  private static PrintStream out() {
    return System.out;
  }

  // ---- looking

  @Descriptor("list the locks of one file, or of every file that has locks")
  public void list(@Descriptor("[file]") String... args) {
    run(
        () -> {
          if (args.length > 1) {
            throw new IllegalArgumentException("usage: lock:list [file]");
          }
          LockManager m = attach();
          List<FileHandle> files =
              args.length == 1 ? List.of(DemoShare.file(args[0])) : filesWithLocks();
          long epoch = m.epoch();
          int shown = 0;
          for (FileHandle f : files) {
            List<Lock> locks = m.locks(f);
            if (locks.isEmpty() && args.length == 0) {
              continue;
            }
            shown++;
            out().println(DemoShare.display(f) + ": " + LockReports.count(locks.size(), "lock"));
            if (!locks.isEmpty()) {
              out().print(LockReports.locks(locks, epoch));
            }
          }
          if (shown == 0) {
            out().println("no locks held");
          }
        });
  }

  /** Files with lock records in the store, in name order. */
  private List<FileHandle> filesWithLocks() {
    MetadataStore store = service.store();
    if (store == null) {
      throw new StoreError(
          org.dittofs.metadata.errors.ErrorCode.STORE_UNAVAILABLE,
          "no store is bound: cannot find the files with locks (name one: lock:list <file>)");
    }
    List<PersistedLock> records =
        store.inTransaction(
            tx -> tx.locks().listLocks(LockQuery.all().withKind(PersistedLock.Kind.LOCK)));
    TreeMap<String, FileHandle> byName = new TreeMap<>();
    records.forEach(r -> byName.put(DemoShare.display(r.file()), r.file()));
    return List.copyOf(byName.values());
  }

  @Descriptor("list the clients the lock manager knows")
  public void clients() {
    run(
        () -> {
          out().print(LockReports.clients(attach().clients()));
        });
  }

  @Descriptor("show the grace period after a restart")
  public void grace() {
    run(
        () -> {
          LockManager m = attach();
          out().println(LockReports.grace(m.graceStatus(), m.epoch()));
        });
  }

  @Descriptor(
      "show the lock manager's state now and the lock metrics counted since the shell attached;"
          + " 'all' shows zero counters too")
  public void stats(@Descriptor("[all]") String... args) {
    run(
        () -> {
          boolean all = args.length == 1 && args[0].equals("all");
          if (args.length > 1 || (args.length == 1 && !all)) {
            throw new IllegalArgumentException("usage: lock:stats [all]");
          }
          LockManager m = attach();
          out().print(LockReports.stats(m, metrics.snapshot(), attachedSince(), all));
        });
  }

  // ---- trying things

  @Descriptor(
      "take a lock without waiting: <owner> <file> <offset> <length|eof> [shared|exclusive]"
          + " [posix|windows]")
  public void acquire(@Descriptor("owner file offset length [type] [flavour]") String... args) {
    run(
        () -> {
          LockArgs a = LockArgs.parse(args, ACQUIRE, true);
          LockManager m = attach();
          DemoShare.ensure(service);
          LockRequest r = a.request();
          try {
            LockResult result = m.lock(r);
            if (result instanceof LockResult.Granted g) {
              out()
                  .println(
                      "GRANTED  "
                          + a.describe(r)
                          + (g.lock().range().equals(r.range())
                              ? ""
                              : " (now holds " + g.lock().range() + ")")
                          + ", id "
                          + g.lock().id());
            } else {
              out()
                  .println(
                      "REFUSED  "
                          + a.describe(r)
                          + ": conflicts with "
                          + ((LockResult.Denied) result).conflict());
            }
          } catch (StoreError e) {
            out().println("REFUSED  " + a.describe(r) + ": " + reason(e));
          }
        });
  }

  @Descriptor("release bytes: <owner> <file> <offset> <length|eof> [posix|windows]")
  public void release(@Descriptor("owner file offset length [flavour]") String... args) {
    run(
        () -> {
          LockArgs a = LockArgs.parse(args, RELEASE, false);
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
            out()
                .println(
                    "RELEASED "
                        + what
                        + "; "
                        + a.owner()
                        + (left.isEmpty()
                            ? " holds nothing on " + a.file()
                            : " still holds " + String.join(", ", left)));
          } catch (StoreError e) {
            out().println("REFUSED  release " + what + ": " + reason(e));
          }
        });
  }

  @Descriptor(
      "would this lock be granted now? <owner> <file> <offset> <length|eof> [shared|exclusive]"
          + " [posix|windows]")
  public void test(@Descriptor("owner file offset length [type] [flavour]") String... args) {
    run(
        () -> {
          LockArgs a = LockArgs.parse(args, TEST, true);
          LockRequest r = a.request();
          try {
            Optional<Lock> conflict = attach().test(r);
            out()
                .println(
                    conflict
                        .map(
                            c ->
                                "TEST     "
                                    + a.describe(r)
                                    + ": would be REFUSED, conflicts with "
                                    + c)
                        .orElse("TEST     " + a.describe(r) + ": would be GRANTED"));
          } catch (StoreError e) {
            out().println("TEST     " + a.describe(r) + ": " + reason(e));
          }
        });
  }

  @Descriptor(
      "reclaim a lock held before the restart (grace period only): <owner> <file> <offset>"
          + " <length|eof> [shared|exclusive] [posix|windows]")
  public void reclaim(@Descriptor("owner file offset length [type] [flavour]") String... args) {
    run(
        () -> {
          LockArgs a = LockArgs.parse(args, RECLAIM, true);
          LockRequest r = a.request();
          try {
            LockResult.Granted g = (LockResult.Granted) attach().reclaim(r);
            out().println("RECLAIMED " + a.describe(r) + ", id " + g.lock().id());
          } catch (StoreError e) {
            out().println("REFUSED  reclaim " + a.describe(r) + ": " + reason(e));
          }
        });
  }

  @Descriptor("declare that the owners' clients have reclaimed everything they want")
  public void complete(@Descriptor("owner...") String... owners) {
    run(
        () -> {
          if (owners.length == 0) {
            throw new IllegalArgumentException("usage: lock:complete <owner>...");
          }
          LockManager m = attach();
          for (String owner : owners) {
            m.reclaimComplete(LockArgs.clientOf(owner));
          }
          GraceStatus g = m.graceStatus();
          out()
              .println(
                  "COMPLETE "
                      + java.util.Arrays.stream(owners)
                          .map(o -> LockArgs.clientOf(o).toString())
                          .collect(Collectors.joining(", "))
                      + (g.active()
                          ? "; grace goes on: "
                              + g.completedClients().size()
                              + " of "
                              + g.expectedClients().size()
                              + " expected clients complete"
                          : "; grace period: not active"));
        });
  }

  @Descriptor("show the lock commands and their arguments")
  public void help() {
    out().print(HELP);
  }

  // ---- helpers

  /** Runs a command: usage errors print the usage, store errors print their code and message. */
  private static void run(Runnable command) {
    try {
      command.run();
    } catch (IllegalArgumentException e) {
      out().println(e.getMessage());
    } catch (StoreError e) {
      out().println("error: " + reason(e));
    }
  }

  static String reason(StoreError e) {
    return e.code() + ": " + e.getMessage();
  }
}
