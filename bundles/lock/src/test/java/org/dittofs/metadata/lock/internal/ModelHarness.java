package org.dittofs.metadata.lock.internal;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.dittofs.metadata.errors.ErrorCode;
import org.dittofs.metadata.errors.StoreError;
import org.dittofs.metadata.lock.FileHandle;
import org.dittofs.metadata.lock.Lock;
import org.dittofs.metadata.lock.LockOwner;
import org.dittofs.metadata.lock.ShareAccess;
import org.dittofs.metadata.lock.internal.ReferenceLockModel.Held;
import org.dittofs.metadata.lock.internal.ReferenceLockModel.Span;

/**
 * The harness of the model-based tests: drives a real lock manager and a reference model with the
 * same operations of one {@link OperationSet} (the lock table's, {@link TableOperations}; the
 * manager's life with policies and store faults, {@link LifecycleOperations}) and compares them
 * after every step: the outcome of the operation, then the whole state ({@link
 * OperationSet.Subject#checkState}). Any difference is a {@link Mismatch}. {@link ModelRuns} runs
 * it on seeds, shrinks a failing run and reports it.
 *
 * <p>A step calls the manager once: every call goes through {@link #call}, which records what it
 * returned or threw. Where the specification leaves the manager a choice, the model asks the
 * harness's {@link #chooser()}; if judging the step under the first vector of answers fails, the
 * model ({@link OperationSet.Subject#checkpoint}) and the bookkeeping of the step ({@link
 * #journal()}) are rolled back and the recorded results judged under the next vector, until one
 * agrees or all were tried (then the first difference is reported).
 *
 * <p>The universe: {@value ReferenceLockModel#FILES} files and {@value ReferenceLockModel#OWNERS}
 * owners, P0..P3 (NLM) and W0..W3 (SMB), named by index in the operations. Not thread-safe: one
 * harness, one thread.
 */
final class ModelHarness<O> {
  static final FileHandle[] FILES = new FileHandle[ReferenceLockModel.FILES];
  static final LockOwner[] OWNERS = new LockOwner[ReferenceLockModel.OWNERS];
  private static final Map<LockOwner, Integer> OWNER_INDEX = new HashMap<>();

  static {
    for (int f = 0; f < FILES.length; f++) {
      FILES[f] = FileHandle.of("f" + f);
    }
    for (int o = 0; o < OWNERS.length; o++) {
      OWNERS[o] =
          LockOwner.of(
              (o < ReferenceLockModel.POSIX_OWNERS ? "nlm:host:" : "smb:session:")
                  + ModelOp.ownerName(o));
      OWNER_INDEX.put(OWNERS[o], o);
    }
  }

  /** A difference between the manager and the model; {@code kind} groups it for shrinking. */
  static final class Mismatch extends AssertionError {
    private static final long serialVersionUID = 1L;
    final String kind;

    Mismatch(String kind, String message) {
      super(kind + ": " + message);
      this.kind = kind;
    }
  }

  /** Answers a model's nondeterministic choices: an int in [0, n). */
  interface Chooser {
    int choose(int n);
  }

  private static final int MAX_ATTEMPTS = 1000;

  private final StepJournal journal = new StepJournal();
  private final ChoiceScript script = new ChoiceScript();
  private final List<Object> recorded = new ArrayList<>();
  private final Map<String, Integer> stats = new TreeMap<>();
  private final OperationSet.Subject<O> subject;
  private int nextCall;
  private O current;

  private ModelHarness(OperationSet<O> set) {
    this.subject = set.start().apply(this);
  }

  /** A harness on a fresh manager and model of {@code set}. */
  static <O> ModelHarness<O> start(OperationSet<O> set) {
    return new ModelHarness<>(set);
  }

  OperationSet.Subject<O> subject() {
    return subject;
  }

  /** How often each outcome was seen (the keys name them). */
  Map<String, Integer> stats() {
    return stats;
  }

  /** The undo log of the step: bookkeeping that a judgement under another choice must undo. */
  StepJournal journal() {
    return journal;
  }

  /** What the model asks where the manager may choose (see the class comment). */
  Chooser chooser() {
    return script;
  }

  /** Runs one operation on the manager and judges it under each vector of the model's choices. */
  void step(O op) {
    current = op;
    recorded.clear();
    script.reset();
    Runnable restoreModel = subject.checkpoint(op);
    Mismatch first = null;
    List<String> others = new ArrayList<>();
    for (int attempt = 0; ; attempt++) {
      nextCall = 0;
      script.rewind();
      try {
        List<Runnable> post = new ArrayList<>();
        subject.run(op, post);
        subject.checkState();
        post.forEach(Runnable::run);
        journal.commit();
        return;
      } catch (Mismatch m) {
        if (first == null) {
          first = m;
        } else if (others.size() < 3 && !others.contains(m.getMessage())) {
          others.add(m.getMessage());
        }
        if (restoreModel == null || !script.asked() || attempt >= MAX_ATTEMPTS || !script.next()) {
          journal.commit();
          if (others.isEmpty()) {
            throw first;
          }
          throw new Mismatch(
              first.kind,
              first.getMessage().substring(first.kind.length() + 2)
                  + "\n  under the model's other choices:\n  "
                  + String.join("\n  ", others));
        }
        journal.rollback();
        restoreModel.run();
      }
    }
  }

  /** Compares the whole state with the model (as after every step). */
  void checkState() {
    subject.checkState();
  }

  // ---------------------------------------------------------------- judging a step

  /**
   * Calls the manager (or a fixture) once per step: the first judgement of a step runs {@code s}
   * and records its result or exception; later judgements of the same step get the recording.
   */
  Object call(Supplier<?> s) {
    if (nextCall < recorded.size()) {
      return recorded.get(nextCall++);
    }
    Object r;
    try {
      r = s.get();
    } catch (RuntimeException e) {
      r = e;
    }
    recorded.add(r);
    nextCall++;
    return r;
  }

  /** As {@link #call}, for a call that returns nothing: null, or what it threw. */
  Object perform(Runnable action) {
    return call(
        () -> {
          action.run();
          return null;
        });
  }

  /** Counts an outcome (undone with the step's journal). */
  void count(String what) {
    journal.count(stats, what);
  }

  /** A difference of {@code kind}, naming the operation of the step. */
  Mismatch mismatch(String kind, String message) {
    return new Mismatch(kind, message + "\n    at: " + current);
  }

  <T> T expect(Object r, Class<T> type) {
    if (!type.isInstance(r)) {
      throw mismatch("outcome", "expected " + type.getSimpleName() + ", got " + describe(r));
    }
    return type.cast(r);
  }

  void expectError(Object r, ErrorCode code) {
    if (!(r instanceof StoreError e) || e.code() != code) {
      throw mismatch("outcome", "expected " + code + ", got " + describe(r));
    }
  }

  /** Success for a null {@code code}, else that error. */
  void expectOutcome(Object r, ErrorCode code) {
    if (code != null) {
      expectError(r, code);
    } else if (r instanceof RuntimeException) {
      throw mismatch("outcome", "expected success, got " + describe(r));
    }
  }

  static String describe(Object r) {
    if (r instanceof StoreError e) {
      return e.code() + " (" + e.getMessage() + ")";
    }
    if (r instanceof RuntimeException e) {
      return e.toString();
    }
    return String.valueOf(r);
  }

  // ---------------------------------------------------------------- the universe

  /** The index of a model owner, or null for an owner the model does not know. */
  static Integer ownerIndex(LockOwner owner) {
    return OWNER_INDEX.get(owner);
  }

  /** A real record as the model sees it. */
  static Held held(Lock l) {
    return new Held(OWNER_INDEX.get(l.owner()), l.flavour(), Span.of(l.range()), l.type());
  }

  static Set<ShareAccess> modeSet(int mask) {
    Set<ShareAccess> s = EnumSet.noneOf(ShareAccess.class);
    for (ShareAccess a : ShareAccess.values()) {
      if ((mask & a.bit()) != 0) {
        s.add(a);
      }
    }
    return s;
  }
}
