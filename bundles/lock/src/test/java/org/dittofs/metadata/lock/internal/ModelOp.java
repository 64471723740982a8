package org.dittofs.metadata.lock.internal;

import java.util.List;
import org.dittofs.metadata.lock.LockFlavour;
import org.dittofs.metadata.lock.LockType;
import org.dittofs.metadata.lock.LockingMode;
import org.dittofs.metadata.lock.internal.ReferenceLockModel.Span;

/**
 * One operation of the model-based test, with concrete arguments only, so that any subsequence can
 * be replayed on a fresh manager and model (shrinking). Owners are indices (P0..P3 are POSIX
 * owners, W0..W3 WINDOWS owners), files are indices, opens are named by a handle number that the
 * harness maps to the real open id of the current replay. {@link #toString()} is one readable line.
 */
sealed interface ModelOp {

  static String ownerName(int owner) {
    return owner < ReferenceLockModel.POSIX_OWNERS
        ? "P" + owner
        : "W" + (owner - ReferenceLockModel.POSIX_OWNERS);
  }

  static String modes(int mask) {
    return ((mask & 1) != 0 ? "R" : "")
        + ((mask & 2) != 0 ? "W" : "")
        + ((mask & 4) != 0 ? "D" : "")
        + (mask == 0 ? "-" : "");
  }

  /** One line for a lock request: "verb P0 f1 POSIX SHARED [2, 9]", the verb padded. */
  static String request(
      String verb, int owner, int file, LockFlavour flavour, LockType type, Span span) {
    return String.format(
        "%-11s %s f%d %s %s %s", verb, ownerName(owner), file, flavour, type, span);
  }

  /** One line for an open: "verb #3 P0 f1 access=RW deny=-", the verb padded. */
  static String open(String verb, int handle, int owner, int file, int access, int deny) {
    return String.format("%-11s #%d %s", verb, handle, ownerName(owner))
        + modes(file, access, deny);
  }

  /** " f1 access=RW deny=-". */
  static String modes(int file, int access, int deny) {
    return " f" + file + " access=" + modes(access) + " deny=" + modes(deny);
  }

  /**
   * Judges each kind of operation against a model (the lock table's, or the lifecycle's); checks
   * that need the state after the step go to {@code post}.
   */
  interface Judge {
    void acquire(Acquire a, List<Runnable> post);

    void acquireAll(AcquireAll a, List<Runnable> post);

    void release(Release r);

    void releaseAll(ReleaseAll r);

    void test(Test t);

    void open(Open o);

    void downgrade(OpenDowngrade d);

    void close(Close c);

    void ioCheck(IoCheck c);

    /** Hands {@code op} to the method of its kind. */
    default void judge(ModelOp op, List<Runnable> post) {
      switch (op.getClass().getSimpleName()) {
        case "Acquire" -> acquire((Acquire) op, post);
        case "AcquireAll" -> acquireAll((AcquireAll) op, post);
        case "Release" -> release((Release) op);
        case "ReleaseAll" -> releaseAll((ReleaseAll) op);
        case "Test" -> test((Test) op);
        case "Open" -> open((Open) op);
        case "OpenDowngrade" -> downgrade((OpenDowngrade) op);
        case "Close" -> close((Close) op);
        case "IoCheck" -> ioCheck((IoCheck) op);
        default -> throw new IllegalArgumentException("no judgement of " + op);
      }
    }
  }

  /** lock(): one lock, or a re-type (upgrade/downgrade) of an owned range. */
  record Acquire(int owner, int file, LockFlavour flavour, LockType type, Span span)
      implements ModelOp {
    @Override
    public String toString() {
      return request("lock", owner, file, flavour, type, span);
    }
  }

  record Element(LockType type, Span span) {
    @Override
    public String toString() {
      return type + " " + span;
    }
  }

  /** lockAll(): several ranges of one owner, all or nothing. */
  record AcquireAll(int owner, int file, LockFlavour flavour, List<Element> elements)
      implements ModelOp {
    @Override
    public String toString() {
      return "lockAll     " + ownerName(owner) + " f" + file + " " + flavour + " " + elements;
    }
  }

  record Release(int owner, int file, LockFlavour flavour, Span span) implements ModelOp {
    @Override
    public String toString() {
      return "unlock      " + ownerName(owner) + " f" + file + " " + flavour + " " + span;
    }
  }

  /** unlockAll(): releases in order, stopping at the first failure. */
  record ReleaseAll(int owner, int file, LockFlavour flavour, List<Span> spans) implements ModelOp {
    @Override
    public String toString() {
      return "unlockAll   " + ownerName(owner) + " f" + file + " " + flavour + " " + spans;
    }
  }

  record Test(int owner, int file, LockFlavour flavour, LockType type, Span span)
      implements ModelOp {
    @Override
    public String toString() {
      return request("test", owner, file, flavour, type, span);
    }
  }

  record Open(int handle, int owner, int file, int access, int deny) implements ModelOp {
    @Override
    public String toString() {
      return open("open", handle, owner, file, access, deny);
    }
  }

  record OpenDowngrade(int handle, int file, int access, int deny) implements ModelOp {
    @Override
    public String toString() {
      return "downgrade   #" + handle + modes(file, access, deny);
    }
  }

  record Close(int handle, int file) implements ModelOp {
    @Override
    public String toString() {
      return "close       #" + handle + " f" + file;
    }
  }

  record IoCheck(int owner, int file, boolean write, LockingMode mode, Span span)
      implements ModelOp {
    @Override
    public String toString() {
      return (write ? "checkWrite  " : "checkRead   ")
          + ownerName(owner)
          + " f"
          + file
          + " "
          + span
          + " "
          + mode;
    }
  }
}
