package org.dittofs.metadata.reliability;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.dittofs.metadata.lock.LockFlavour;
import org.dittofs.metadata.lock.LockType;
import org.dittofs.metadata.store.postgres.TextForms;

/**
 * What each client thread reclaims after a restart, and what the manager must answer.
 *
 * <p>A thread reclaims what it was acknowledged: its POSIX owner's runs (which are the records a
 * POSIX manager keeps), its WINDOWS locks and its opens, EXCLUSIVE before SHARED. The answer
 * follows from the restored records alone (SPEC 11): a lock reclaim is granted iff an unreclaimed
 * restored lock of the owner has the same range and the same or a stronger type, an open reclaim
 * iff an unreclaimed restored open of the owner on the file holds at least its modes. Once every
 * restored record has been reclaimed the grace period ends, and later reclaims fail with
 * NOT_IN_GRACE instead of LOCK_NOT_FOUND. A restored state that differs from the acknowledged one
 * (a release that had not landed, a request in flight that had) makes some reclaims fail: this plan
 * predicts exactly which.
 */
final class ReclaimPlan {
  /** One reclaim: the command, the request it stands for, and the predicted answer. */
  record Reclaim(int thread, String command, Op op, boolean granted, String failure) {}

  private ReclaimPlan() {}

  static List<Reclaim> of(Ledger ledger, Snapshot restored) {
    int[] outstanding = {restored.store.size()};
    List<Reclaim> out = new ArrayList<>();
    for (int t = 0; t < ledger.threads(); t++) {
      ThreadState held = ledger.acknowledged(t);
      ThreadState available = restored.thread(t);
      Map<String, Integer> windows = new HashMap<>();
      available.windowsLocks().forEach(k -> windows.merge(k, 1, Integer::sum));
      for (LockType type : List.of(LockType.EXCLUSIVE, LockType.SHARED)) {
        for (Map.Entry<String, Coverage> e : held.posix().entrySet()) {
          for (Coverage.Run run : e.getValue().runs()) {
            if (run.type() != type) {
              continue;
            }
            Coverage c = available.posix().get(e.getKey());
            boolean match =
                c != null
                    && c.runs().stream()
                        .anyMatch(
                            r ->
                                r.first() == run.first()
                                    && r.last() == run.last()
                                    && (r.type() == LockType.EXCLUSIVE || type == LockType.SHARED));
            if (match) {
              c.clear(run.range());
            }
            Op op = Op.lock(LockFlavour.POSIX, e.getKey(), run.range(), type);
            out.add(
                reclaim(
                    t,
                    "P " + e.getKey() + " " + TextForms.range(run.range()),
                    op,
                    match,
                    outstanding));
          }
        }
        for (String key : held.windowsLocks()) {
          String[] k = key.split(" ");
          if (LockType.valueOf(k[2]) != type) {
            continue;
          }
          boolean match =
              type == LockType.EXCLUSIVE
                  ? take(windows, key)
                  : take(windows, k[0] + " " + k[1] + " SHARED")
                      || take(windows, k[0] + " " + k[1] + " EXCLUSIVE");
          Op op = Op.lock(LockFlavour.WINDOWS, k[0], TextForms.range(k[1]), type);
          out.add(reclaim(t, "W " + k[0] + " " + k[1], op, match, outstanding));
        }
      }
      List<ThreadState.OpenMode> opens = new ArrayList<>(available.opens().values());
      for (ThreadState.OpenMode o : held.opens().values()) {
        boolean match = false;
        for (java.util.Iterator<ThreadState.OpenMode> it = opens.iterator(); it.hasNext(); ) {
          ThreadState.OpenMode r = it.next();
          if (r.file().equals(o.file())
              && r.access().containsAll(o.access())
              && r.deny().containsAll(o.deny())) {
            it.remove();
            match = true;
            break;
          }
        }
        Op op = Op.open(o.file(), o.access(), o.deny());
        String cmd =
            "O " + o.file() + " " + TextForms.modes(o.access()) + " " + TextForms.modes(o.deny());
        out.add(reclaim(t, cmd, op, match, outstanding));
      }
    }
    return out;
  }

  private static Reclaim reclaim(int t, String what, Op op, boolean match, int[] outstanding) {
    String failure = null;
    if (match) {
      outstanding[0]--;
    } else {
      failure = outstanding[0] <= 0 ? "NOT_IN_GRACE" : "LOCK_NOT_FOUND";
    }
    String type = op.type() == null ? "" : " " + (op.type() == LockType.SHARED ? "S" : "X");
    return new Reclaim(t, "RECLAIM " + t + " " + what + type, op, match, failure);
  }

  private static boolean take(Map<String, Integer> m, String key) {
    Integer n = m.get(key);
    if (n == null) {
      return false;
    }
    if (n == 1) {
      m.remove(key);
    } else {
      m.put(key, n - 1);
    }
    return true;
  }
}
