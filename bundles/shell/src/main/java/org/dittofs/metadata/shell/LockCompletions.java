package org.dittofs.metadata.shell;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;
import org.dittofs.metadata.errors.StoreError;
import org.dittofs.metadata.lock.GraceStatus;
import org.dittofs.metadata.lock.LockClient;
import org.dittofs.metadata.lock.host.ClientInfo;
import org.dittofs.metadata.lock.spi.PersistedLock;

/**
 * What a shell may offer when completing the arguments of the lock commands, each value with a
 * short description. Reads only: the lock records of the store in use and the lock manager's
 * clients and grace status; it never takes, tests or changes anything. Without a store every list
 * of the lock table is empty (completion never fails).
 */
public final class LockCompletions {
  /** Lock types. */
  public static final List<Suggestion> TYPES =
      List.of(
          new Suggestion("exclusive", "write lock: nothing else may overlap (the default)"),
          new Suggestion("shared", "read lock: other shared locks may overlap"));

  /** Lock flavours. */
  public static final List<Suggestion> FLAVOURS =
      List.of(
          new Suggestion("posix", "NLM, NFSv4, fcntl: ranges coalesce and split (the default)"),
          new Suggestion("windows", "SMB: locks stack; a release names an exact range"));

  /** The length that is not a number. */
  public static final List<Suggestion> LENGTHS =
      List.of(new Suggestion("eof", "to the end of file, however long it grows"));

  private final LockShell shell;

  LockCompletions(LockShell shell) {
    this.shell = shell;
  }

  /** Owners holding locks (with how many, on how many files), then shell clients holding none. */
  public List<Suggestion> owners() {
    Map<String, TreeSet<String>> files = new TreeMap<>();
    Map<String, Integer> locks = new TreeMap<>();
    for (PersistedLock r : records()) {
      files.computeIfAbsent(r.owner(), o -> new TreeSet<>()).add(DemoShare.display(r.file()));
      locks.merge(r.owner(), 1, Integer::sum);
    }
    List<Suggestion> out = new ArrayList<>();
    files.forEach(
        (owner, f) ->
            out.add(
                new Suggestion(
                    owner,
                    LockReports.count(locks.get(owner), "lock")
                        + " on "
                        + (f.size() == 1 ? f.first() : f.size() + " files"))));
    for (ClientInfo c : read(() -> shell.manager().clients(), List.<ClientInfo>of())) {
      if (c.client().adapter().equals(LockArgs.ADAPTER) && !files.containsKey(c.client().id())) {
        out.add(new Suggestion(c.client().id(), "client " + c.client() + ", no locks"));
      }
    }
    return out;
  }

  /** Files with locks, with how many. */
  public List<Suggestion> files() {
    Map<String, Integer> locks = new TreeMap<>();
    records().forEach(r -> locks.merge(DemoShare.display(r.file()), 1, Integer::sum));
    List<Suggestion> out = new ArrayList<>();
    locks.forEach((f, n) -> out.add(new Suggestion(f, LockReports.count(n, "lock"))));
    return out;
  }

  /**
   * For {@code lock:complete}: the shell owners whose clients grace still waits for, then the other
   * owners.
   */
  public List<Suggestion> completingOwners() {
    GraceStatus g = read(() -> shell.manager().graceStatus(), null);
    List<Suggestion> out = new ArrayList<>();
    if (g != null && g.active()) {
      g.expectedClients().stream()
          .filter(c -> c.adapter().equals(LockArgs.ADAPTER) && !g.completedClients().contains(c))
          .map(LockClient::id)
          .sorted()
          .forEach(id -> out.add(new Suggestion(id, "expected in grace, not declared complete")));
    }
    for (Suggestion s : owners()) {
      if (out.stream().noneMatch(x -> x.value().equals(s.value()))) {
        out.add(s);
      }
    }
    return out;
  }

  private List<PersistedLock> records() {
    return read(shell::lockRecords, List.of());
  }

  private static <T> T read(Supplier<T> what, T fallback) {
    try {
      return what.get();
    } catch (StoreError e) {
      return fallback;
    }
  }
}
