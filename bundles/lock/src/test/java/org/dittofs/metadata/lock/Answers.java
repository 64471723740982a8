package org.dittofs.metadata.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.util.List;
import java.util.Optional;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.dittofs.metadata.errors.StoreError;
import org.dittofs.metadata.lock.host.LockManager;

/** Assertions on the manager's answers that the lock tests share, so that every test asks alike. */
final class Answers {
  private Answers() {}

  /** The lock {@code m} grants for {@code r}; fails the test if it is not granted. */
  static Lock grant(LockManager m, LockRequest r) {
    LockResult res = m.lock(r);
    assertThat(res.granted()).as("grant of %s", r).isTrue();
    return ((LockResult.Granted) res).lock();
  }

  /** The conflicting lock {@code m} reports for {@code r}; fails the test if it is not denied. */
  static Lock deny(LockManager m, LockRequest r) {
    LockResult res = m.lock(r);
    assertThat(res).as("lock of %s", r).isInstanceOf(LockResult.Denied.class);
    return ((LockResult.Denied) res).conflict();
  }

  /** The locks of {@code owner} on {@code file}, in the table's order. */
  static List<Lock> heldBy(LockManager m, FileHandle file, Requests.Owner owner) {
    return m.locks(file).stream().filter(l -> l.owner().equals(owner.owner())).toList();
  }

  /** The StoreError {@code call} throws; fails the test if it throws none or another. */
  static StoreError error(ThrowingCallable call) {
    Throwable t = catchThrowable(call);
    assertThat(t).isInstanceOf(StoreError.class);
    return (StoreError) t;
  }

  /** The error a request that is done failed with. */
  static StoreError failure(PendingLock p) {
    assertThat(p.isDone()).as("%s done", p).isTrue();
    return error(p::poll);
  }

  /** A request that waits: not done, and poll() answers nothing yet. */
  static PendingLock waiting(PendingLock p) {
    assertThat(p.isDone()).as("%s done", p).isFalse();
    assertThat(p.poll()).as("poll of %s", p).isEmpty();
    return p;
  }

  /** The lock a waiting request was granted; fails the test if it is not done or not granted. */
  static Lock granted(PendingLock p) {
    assertThat(p.isDone()).as("%s done", p).isTrue();
    Optional<Lock> l = p.poll();
    assertThat(l).as("poll of %s", p).isPresent();
    return l.get();
  }
}
