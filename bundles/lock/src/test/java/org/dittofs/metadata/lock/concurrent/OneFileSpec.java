package org.dittofs.metadata.lock.concurrent;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.dittofs.metadata.lock.testing.WaitForEdges;

/**
 * The sequential specification of {@link OneFileScenario}, written from SPEC 3-6 for its small
 * world: POSIX owners 0..2 on one file of three bytes, BARGING fairness (SPEC 5: waiters block
 * nobody), one FIFO of waiters re-checked after every change, exact deadlock detection over each
 * waiter's current blockers, and share reservations. Lincheck runs the operations of a concurrent
 * history one by one on a fresh instance and accepts the history only if some order of them,
 * respecting real time, gives the same results. Each method mirrors the test's operation of the
 * same signature; results are strings.
 */
public final class OneFileSpec {
  static final int BYTES = 3;
  static final int OWNERS = 3;

  /** A blocking request. */
  private static final class Req {
    final int owner;
    final boolean exclusive;
    final int first;
    final int last;
    Set<Integer> blockers = Set.of();
    String state = "pending";

    Req(int owner, boolean exclusive, int first, int last) {
      this.owner = owner;
      this.exclusive = exclusive;
      this.first = first;
      this.last = last;
    }
  }

  private record Open(int owner, int access, int deny) {}

  private final int[][] held = new int[OWNERS][BYTES]; // 0 none, 1 shared, 2 exclusive
  private final List<Req> queue = new ArrayList<>();
  private final List<Deque<Req>> requests = new ArrayList<>();
  private final List<Open> opens = new ArrayList<>();

  public OneFileSpec() {
    for (int o = 0; o < OWNERS; o++) {
      requests.add(new ArrayDeque<>());
    }
  }

  /** The range of {@code r} in 0..5: single bytes, then pairs, then all three. */
  static int first(int r) {
    return r < 3 ? r : r < 5 ? r - 3 : 0;
  }

  static int last(int r) {
    return r < 3 ? r : r < 5 ? r - 2 : 2;
  }

  private Set<Integer> conflicts(int owner, boolean exclusive, int first, int last) {
    Set<Integer> out = new HashSet<>();
    for (int o = 0; o < OWNERS; o++) {
      for (int b = first; b <= last && o != owner; b++) {
        if (held[o][b] == 2 || (held[o][b] == 1 && exclusive)) {
          out.add(o);
        }
      }
    }
    return out;
  }

  private void grant(int owner, boolean exclusive, int first, int last) {
    for (int b = first; b <= last; b++) {
      held[owner][b] = exclusive ? 2 : 1;
    }
  }

  /** Whether waiting on {@code blockers} reaches {@code owner} through other waiters' edges. */
  private boolean closesCycle(int owner, Set<Integer> blockers, Req except) {
    return WaitForEdges.closesCycle(owner, blockers, queue, except, w -> w.owner, w -> w.blockers);
  }

  /** Re-checks the queue in FIFO order until a pass changes nothing (SPEC 5). */
  private void wake() {
    boolean again = true;
    while (again) {
      again = false;
      for (Req w : new ArrayList<>(queue)) {
        Set<Integer> c = conflicts(w.owner, w.exclusive, w.first, w.last);
        if (c.isEmpty()) {
          grant(w.owner, w.exclusive, w.first, w.last);
          queue.remove(w);
          w.state = "granted";
          again = true;
        } else if (closesCycle(w.owner, c, w)) {
          queue.remove(w);
          w.state = "failed DEADLOCK";
          again = true;
        } else {
          w.blockers = c;
        }
      }
    }
  }

  public String lock(int thread, boolean exclusive, int range) {
    int owner = Math.floorMod(thread, OWNERS);
    int f = first(range);
    int l = last(range);
    if (!conflicts(owner, exclusive, f, l).isEmpty()) {
      return "denied";
    }
    boolean change = false;
    for (int b = f; b <= l; b++) {
      change |= held[owner][b] != (exclusive ? 2 : 1);
    }
    grant(owner, exclusive, f, l);
    if (change) {
      wake();
    }
    return "granted";
  }

  public String unlock(int thread, int range) {
    int owner = Math.floorMod(thread, OWNERS);
    boolean change = false;
    for (int b = first(range); b <= last(range); b++) {
      change |= held[owner][b] != 0;
      held[owner][b] = 0;
    }
    if (change) {
      wake();
    }
    return "ok";
  }

  public String test(int thread, boolean exclusive, int range) {
    int owner = Math.floorMod(thread, OWNERS);
    return conflicts(owner, exclusive, first(range), last(range)).isEmpty() ? "free" : "conflict";
  }

  public String lockBlocking(int thread, boolean exclusive, int range) {
    int owner = Math.floorMod(thread, OWNERS);
    int f = first(range);
    int l = last(range);
    Set<Integer> c = conflicts(owner, exclusive, f, l);
    if (c.isEmpty()) {
      lock(owner, exclusive, range);
      Req r = new Req(owner, exclusive, f, l);
      r.state = "granted";
      requests.get(owner).add(r);
      return "granted";
    }
    if (closesCycle(owner, c, null)) {
      return "DEADLOCK";
    }
    Req r = new Req(owner, exclusive, f, l);
    r.blockers = c;
    queue.add(r);
    requests.get(owner).add(r);
    return "queued";
  }

  public String cancel(int thread) {
    int owner = Math.floorMod(thread, OWNERS);
    Req r = requests.get(owner).poll();
    if (r == null) {
      return "none";
    }
    if (!r.state.equals("pending")) {
      return "not pending";
    }
    queue.remove(r);
    r.state = "failed CANCELLED";
    wake(); // a waiter leaving may change other waiters' edges
    return "cancelled";
  }

  public String poll(int thread) {
    int owner = Math.floorMod(thread, OWNERS);
    Req r = requests.get(owner).peek();
    return r == null ? "none" : r.state;
  }

  public String open(int thread, int accessParam, int denyParam) {
    int owner = Math.floorMod(thread, OWNERS);
    int access = accessParam & 3; // READ = 1, WRITE = 2, as OneFileScenario.modes
    int deny = denyParam & 3;
    for (Open o : opens) {
      if ((access & o.deny()) != 0 || (deny & o.access()) != 0) {
        return "SHARE_DENIED";
      }
    }
    opens.add(new Open(owner, access, deny));
    return "opened";
  }

  public String close(int thread) {
    int owner = Math.floorMod(thread, OWNERS);
    for (Open o : opens) {
      if (o.owner() == owner) {
        opens.remove(o);
        return "closed";
      }
    }
    return "none";
  }

  /** A hot swap: invisible to the requests. */
  public String swap() {
    return "swapped";
  }

  // equality of states lets Lincheck's verifier merge equal states of different orders

  @Override
  public boolean equals(Object other) {
    return other instanceof OneFileSpec s && state().equals(s.state());
  }

  @Override
  public int hashCode() {
    return state().hashCode();
  }

  private String state() {
    StringBuilder b = new StringBuilder();
    for (int[] h : held) {
      b.append(java.util.Arrays.toString(h));
    }
    for (Req w : queue) {
      b.append('q').append(w.owner).append(w.exclusive).append(w.first).append(w.last);
      b.append(w.blockers);
    }
    for (Deque<Req> d : requests) {
      b.append('|');
      for (Req r : d) {
        b.append(r.state).append(',');
      }
    }
    b.append(Objects.toString(opens));
    return b.toString();
  }
}
