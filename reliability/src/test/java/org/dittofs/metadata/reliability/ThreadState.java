package org.dittofs.metadata.reliability;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import org.dittofs.metadata.lock.LockFlavour;
import org.dittofs.metadata.lock.LockType;
import org.dittofs.metadata.lock.ShareAccess;
import org.dittofs.metadata.store.postgres.TextForms;

/**
 * What the owners of one client thread hold, as the client knows it from its acknowledgements: the
 * bytes of its POSIX owner per file ({@link Coverage}), the WINDOWS locks of its SMB owner (a
 * multiset: identical locks stack) and its opens by id. The same value is built from the records a
 * restarted service restored, so the two compare directly. Not thread-safe.
 */
final class ThreadState {
  /** The open id the parent does not know: an open still in flight when the child was killed. */
  static final String UNKNOWN_ID = "?";

  /** An open's file and modes. */
  record OpenMode(String file, Set<ShareAccess> access, Set<ShareAccess> deny) {}

  /** When the manager writes the change of an acknowledged request (SPEC 10). */
  enum Write {
    /** Nothing changed, nothing is written. */
    NONE,
    /** Written before the acknowledgement: durable once acknowledged. */
    SYNC,
    /** Applied in memory at once, written later, in order: may not have landed at a kill. */
    ASYNC
  }

  private final TreeMap<String, Coverage> posix = new TreeMap<>();
  private final TreeMap<String, Integer> windows = new TreeMap<>(); // "file range type" -> count
  private final TreeMap<String, OpenMode> opens = new TreeMap<>();

  ThreadState copy() {
    ThreadState s = new ThreadState();
    posix.forEach((f, c) -> s.posix.put(f, c.copy()));
    s.windows.putAll(windows);
    s.opens.putAll(opens);
    return s;
  }

  /**
   * Applies a request the manager acknowledged as done.
   *
   * @param openId the id of a granted open
   * @return how its change reaches the store
   * @throws IllegalStateException if the acknowledgement contradicts this state (a WINDOWS release
   *     or an open change of something the owner does not hold)
   */
  Write apply(Op op, String openId) {
    return switch (op.kind()) {
      case LOCK, WAIT -> {
        if (op.flavour() == LockFlavour.WINDOWS) {
          windows.merge(key(op.file(), op), 1, Integer::sum);
          yield Write.SYNC;
        }
        Coverage c = posix.computeIfAbsent(op.file(), f -> new Coverage());
        boolean weakens = c.holdsAtLeast(op.range(), op.type());
        if (!c.set(op.range(), op.type())) {
          yield Write.NONE;
        }
        yield weakens ? Write.ASYNC : Write.SYNC;
      }
      case UNLOCK -> {
        if (op.flavour() == LockFlavour.POSIX) {
          Coverage c = posix.get(op.file());
          yield c != null && c.clear(op.range()) ? Write.ASYNC : Write.NONE;
        }
        String x = key(op.file(), op.range(), LockType.EXCLUSIVE);
        String s = key(op.file(), op.range(), LockType.SHARED);
        if (!take(x) && !take(s)) {
          throw new IllegalStateException("WINDOWS release of a lock not held: " + op);
        }
        yield Write.ASYNC;
      }
      case OPEN -> {
        opens.put(Objects.requireNonNull(openId, "open id"), mode(op));
        yield Write.SYNC;
      }
      case DOWNGRADE -> {
        if (opens.replace(op.openId(), mode(op)) == null) {
          throw new IllegalStateException("downgrade of an open not held: " + op);
        }
        yield Write.ASYNC;
      }
      case CLOSE -> {
        if (opens.remove(op.openId()) == null) {
          throw new IllegalStateException("close of an open not held: " + op);
        }
        yield Write.ASYNC;
      }
    };
  }

  /** Whether a WINDOWS release of {@code op}'s range would find a lock of the owner. */
  boolean holdsWindows(Op op) {
    return windows.containsKey(key(op.file(), op.range(), LockType.EXCLUSIVE))
        || windows.containsKey(key(op.file(), op.range(), LockType.SHARED));
  }

  /** Adds a restored or reported record of this thread's owners. */
  void add(StoredRecord r) {
    if (!r.isLock()) {
      opens.put(r.id(), new OpenMode(r.file(), r.access(), r.deny()));
    } else if (r.flavour() == LockFlavour.WINDOWS) {
      windows.merge(key(r.file(), r.range(), r.type()), 1, Integer::sum);
    } else {
      posix.computeIfAbsent(r.file(), f -> new Coverage()).set(r.range(), r.type());
    }
  }

  Map<String, Coverage> posix() {
    return posix;
  }

  /** WINDOWS locks as {@code file range type} strings, one per lock. */
  List<String> windowsLocks() {
    List<String> out = new ArrayList<>();
    windows.forEach(
        (k, n) -> {
          for (int i = 0; i < n; i++) {
            out.add(k);
          }
        });
    return out;
  }

  Map<String, OpenMode> opens() {
    return opens;
  }

  /**
   * Whether {@code restored} is this state, where an open of unknown id here matches one open of
   * {@code restored} with the same file and modes that no known id names.
   */
  boolean matches(ThreadState restored) {
    if (!coverages(posix).equals(coverages(restored.posix)) || !windows.equals(restored.windows)) {
      return false;
    }
    TreeMap<String, OpenMode> rest = new TreeMap<>(restored.opens);
    for (Map.Entry<String, OpenMode> e : opens.entrySet()) {
      if (e.getKey().equals(UNKNOWN_ID)) {
        continue;
      }
      if (!e.getValue().equals(rest.remove(e.getKey()))) {
        return false;
      }
    }
    OpenMode unknown = opens.get(UNKNOWN_ID);
    if (unknown == null) {
      return rest.isEmpty();
    }
    return rest.size() == 1 && rest.values().iterator().next().equals(unknown);
  }

  /**
   * How many of the records this state acknowledges are not held in {@code restored} (a POSIX run
   * whose bytes are not all held there with its type or stronger, a WINDOWS lock, an open by id),
   * leaving out what {@code inflight} touches: that request may have landed.
   */
  int lostIn(ThreadState restored, Op inflight) {
    int lost = 0;
    for (Map.Entry<String, Coverage> e : posix.entrySet()) {
      Coverage there = restored.posix.getOrDefault(e.getKey(), new Coverage());
      for (Coverage.Run r : e.getValue().runs()) {
        boolean touched =
            inflight != null
                && inflight.flavour() == LockFlavour.POSIX
                && inflight.file().equals(e.getKey())
                && inflight.range().overlaps(r.range());
        if (!touched && !there.holdsAtLeast(r.range(), r.type())) {
          lost++;
        }
      }
    }
    ThreadState left = new ThreadState();
    left.windows.putAll(restored.windows);
    for (String k : windowsLocks()) {
      if (!left.take(k)) {
        String[] w = k.split(" ");
        boolean touched =
            inflight != null
                && inflight.kind() == Op.Kind.UNLOCK
                && inflight.flavour() == LockFlavour.WINDOWS
                && inflight.file().equals(w[0])
                && TextForms.range(inflight.range()).equals(w[1]);
        lost += touched ? 0 : 1;
      }
    }
    for (String id : opens.keySet()) {
      boolean touched = inflight != null && id.equals(inflight.openId());
      if (!touched && !id.equals(UNKNOWN_ID) && !restored.opens.containsKey(id)) {
        lost++;
      }
    }
    return lost;
  }

  /**
   * How many records this state holds beyond {@code expected}: POSIX runs, WINDOWS locks and opens
   * (id and modes) that {@code expected} does not have.
   */
  int extraOver(ThreadState expected) {
    int extra = 0;
    for (Map.Entry<String, Coverage> e : posix.entrySet()) {
      List<Coverage.Run> want = expected.posix.getOrDefault(e.getKey(), new Coverage()).runs();
      for (Coverage.Run r : e.getValue().runs()) {
        extra += want.contains(r) ? 0 : 1;
      }
    }
    ThreadState left = new ThreadState();
    left.windows.putAll(expected.windows);
    for (String k : windowsLocks()) {
      extra += left.take(k) ? 0 : 1;
    }
    for (Map.Entry<String, OpenMode> e : opens.entrySet()) {
      extra += e.getValue().equals(expected.opens.get(e.getKey())) ? 0 : 1;
    }
    return extra;
  }

  private static Map<String, Coverage> coverages(Map<String, Coverage> m) {
    TreeMap<String, Coverage> out = new TreeMap<>();
    m.forEach(
        (f, c) -> {
          if (!c.isEmpty()) {
            out.put(f, c);
          }
        });
    return out;
  }

  private boolean take(String key) {
    Integer n = windows.get(key);
    if (n == null) {
      return false;
    }
    if (n == 1) {
      windows.remove(key);
    } else {
      windows.put(key, n - 1);
    }
    return true;
  }

  private static OpenMode mode(Op op) {
    return new OpenMode(op.file(), op.access(), op.deny());
  }

  private static String key(String file, Op op) {
    return key(file, op.range(), op.type());
  }

  static String key(String file, org.dittofs.metadata.lock.ByteRange r, LockType t) {
    return file + " " + TextForms.range(r) + " " + t;
  }

  @Override
  public String toString() {
    return "posix " + coverages(posix) + ", windows " + windowsLocks() + ", opens " + opens;
  }
}
