package org.dittofs.metadata.lock.internal;

import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * One set of operations of the model-based tests, with its model: how a {@link ModelHarness} starts
 * a fresh manager and model, generates operations and judges them. Two exist: the lock table's
 * ({@link TableOperations}) and the manager's life with policies and store faults ({@link
 * LifecycleOperations}).
 *
 * @param disagreement how a failure report starts, e.g. "lock table disagrees with the reference
 *     model"
 * @param fresh what a replay of a shrunk sequence starts on, e.g. "a fresh manager"
 * @param start a fresh manager and model judged through the given harness; any number of them may
 *     be started (shrinking replays on fresh ones)
 */
record OperationSet<O>(
    String disagreement, String fresh, Function<ModelHarness<O>, Subject<O>> start) {

  /** A running manager and its model, driven by one harness. */
  interface Subject<O> {
    /** The random operations of a run from {@code seed}; each looks at the model's state. */
    Supplier<O> generator(long seed);

    /**
     * Runs {@code op} on the manager (every call through {@link ModelHarness#call}) and judges the
     * outcome by the model, which it moves on; checks that need the state after the step go to
     * {@code post}. Throws a {@link ModelHarness.Mismatch} on a difference.
     */
    void run(O op, List<Runnable> post);

    /** Compares the whole state of the manager with the model; run after every step. */
    void checkState();

    /**
     * If the model may ask the harness's chooser during {@code op}: an action that restores the
     * model as it is now (to judge the step again under other answers); else null.
     */
    default Runnable checkpoint(O op) {
      return null;
    }

    /**
     * Operations that rebuild the last verified state on a fresh subject (shrinking tries them
     * first, with the failing operation), or none where a state cannot be rebuilt that way.
     */
    default List<O> reconstruction() {
      return List.of();
    }
  }
}
