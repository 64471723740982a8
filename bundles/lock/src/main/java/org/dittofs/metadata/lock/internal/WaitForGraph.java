package org.dittofs.metadata.lock.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.dittofs.metadata.lock.LockOwner;

/**
 * The wait-for graph over owners: an owner waits on the owners that block one of its pending
 * requests (holders of conflicting locks and, under FIFO fairness, owners of conflicting waiters
 * queued ahead). Detection is exact: a depth-first search over every edge, no hop limit.
 *
 * <p>Concurrency: all state is guarded by this object's monitor. Checking for a cycle and adding
 * the edges is one atomic step ({@link #setBlockers}), so two requests cannot each add half of a
 * cycle. The monitor is a leaf lock: it is taken inside a file table's monitor and nothing is
 * locked while holding it. Only blocking requests touch it; the non-blocking path never does.
 */
final class WaitForGraph {
  /**
   * owner -> (pending request -> owners it waits on). A pending request is its {@link Waiter}
   * (equal only to itself) on one node, its id in cluster mode ({@link ClusterLinks}).
   */
  private final Map<LockOwner, Map<Object, Set<LockOwner>>> waits = new HashMap<>();

  /**
   * Sets the owners {@code waiter} (a pending request of {@code owner}) waits on, unless that
   * closes a cycle. The owner itself is ignored among the blockers (a WINDOWS owner waiting on its
   * own lock can be released by another thread of the same owner).
   *
   * @return null if the edges were set; otherwise the cycle as owners in wait-for order, starting
   *     with a blocker and ending with {@code owner}, and the graph is unchanged
   */
  synchronized List<LockOwner> setBlockers(
      Object waiter, LockOwner owner, Set<LockOwner> blockers) {
    Set<LockOwner> edges = new HashSet<>(blockers);
    edges.remove(owner);
    List<LockOwner> cycle = pathTo(edges, owner, waiter);
    if (cycle != null) {
      return cycle;
    }
    waits.computeIfAbsent(owner, o -> new HashMap<>()).put(waiter, edges);
    return null;
  }

  /** Adds a pending request's edges as they are, without a cycle check (a graph being loaded). */
  synchronized void put(Object waiter, LockOwner owner, Set<LockOwner> blockers) {
    waits.computeIfAbsent(owner, o -> new HashMap<>()).put(waiter, blockers);
  }

  /** Forgets a pending request's edges (granted, cancelled, timed out, failed). */
  synchronized void remove(Object waiter, LockOwner owner) {
    Map<Object, Set<LockOwner>> m = waits.get(owner);
    if (m != null && m.remove(waiter) != null && m.isEmpty()) {
      waits.remove(owner);
    }
  }

  /** Number of pending requests with edges, for tests. */
  synchronized int size() {
    int n = 0;
    for (Map<Object, Set<LockOwner>> m : waits.values()) {
      n += m.size();
    }
    return n;
  }

  /**
   * A path from one of {@code starts} to {@code target} following wait-for edges, ignoring the
   * edges of {@code except} (the request being re-evaluated), or null.
   */
  private List<LockOwner> pathTo(Set<LockOwner> starts, LockOwner target, Object except) {
    Map<LockOwner, LockOwner> parent = new HashMap<>();
    Deque<LockOwner> stack = new ArrayDeque<>();
    for (LockOwner s : starts) {
      if (parent.putIfAbsent(s, s) == null) {
        stack.push(s);
      }
    }
    while (!stack.isEmpty()) {
      LockOwner o = stack.pop();
      if (o.equals(target)) {
        List<LockOwner> path = new ArrayList<>();
        for (LockOwner x = o; ; x = parent.get(x)) {
          path.add(x);
          if (parent.get(x) == x) {
            break;
          }
        }
        Collections.reverse(path);
        return path;
      }
      Map<Object, Set<LockOwner>> pending = waits.get(o);
      if (pending == null) {
        continue;
      }
      for (Map.Entry<Object, Set<LockOwner>> e : pending.entrySet()) {
        if (e.getKey().equals(except)) {
          continue;
        }
        for (LockOwner next : e.getValue()) {
          if (parent.putIfAbsent(next, o) == null) {
            stack.push(next);
          }
        }
      }
    }
    return null;
  }
}
