package org.dittofs.metadata.lock.internal;

import java.util.ArrayDeque;
import java.util.Map;
import java.util.Set;

/**
 * The undo log of one step of a model-based run: every change the harness makes to its own
 * bookkeeping (maps of handles, requests and ids seen, statistics) goes through here, so that a
 * step judged under one choice of the model's nondeterminism can be undone and judged under
 * another. Not thread-safe: one harness, one thread.
 */
final class StepJournal {
  private final ArrayDeque<Runnable> undo = new ArrayDeque<>();

  <K, V> void put(Map<K, V> m, K k, V v) {
    boolean had = m.containsKey(k);
    V old = m.put(k, v);
    undo.push(had ? () -> m.put(k, old) : () -> m.remove(k));
  }

  /** As {@link Map#putIfAbsent}; returns the value already there, or null. */
  <K, V> V putIfAbsent(Map<K, V> m, K k, V v) {
    V old = m.putIfAbsent(k, v);
    if (old == null) {
      undo.push(() -> m.remove(k));
    }
    return old;
  }

  <K> void add(Set<K> s, K k) {
    if (s.add(k)) {
      undo.push(() -> s.remove(k));
    }
  }

  <K> void remove(Set<K> s, K k) {
    if (s.remove(k)) {
      undo.push(() -> s.add(k));
    }
  }

  void count(Map<String, Integer> stats, String what) {
    stats.merge(what, 1, Integer::sum);
    undo.push(() -> stats.computeIfPresent(what, (k, n) -> n == 1 ? null : n - 1));
  }

  /** Registers an arbitrary undo action. */
  void onUndo(Runnable r) {
    undo.push(r);
  }

  /** Undoes everything since the last {@link #commit}, newest first. */
  void rollback() {
    while (!undo.isEmpty()) {
      undo.pop().run();
    }
  }

  /** Keeps everything recorded so far. */
  void commit() {
    undo.clear();
  }
}
