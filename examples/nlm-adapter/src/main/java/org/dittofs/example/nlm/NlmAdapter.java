package org.dittofs.example.nlm;

import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.dittofs.metadata.MetadataService;
import org.dittofs.metadata.errors.StoreError;
import org.dittofs.metadata.lock.ByteRange;
import org.dittofs.metadata.lock.FileHandle;
import org.dittofs.metadata.lock.Lock;
import org.dittofs.metadata.lock.LockClient;
import org.dittofs.metadata.lock.LockFlavour;
import org.dittofs.metadata.lock.LockOwner;
import org.dittofs.metadata.lock.LockRequest;
import org.dittofs.metadata.lock.LockService;
import org.dittofs.metadata.lock.LockType;
import org.dittofs.metadata.lock.PendingLock;
import org.dittofs.metadata.lock.UnlockRequest;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * NLM4 procedures mapped onto {@link LockService}. An NLM lock owner is the triple (caller name,
 * svid, opaque owner handle), so the owner id is {@code nlm:<caller>:<svid>:<oh in hex>}; the
 * client is the caller host over adapter {@code nlm} (an NSM SM_NOTIFY names it). NLM's length 0
 * means "to the end of the file". Errors of the lock manager become NLM status codes; nothing else
 * of the manager (store, configuration, lifecycle) is reachable from here.
 *
 * <p>Concurrency: {@code pending} is a concurrent map from (owner, range) to the blocked request,
 * the only state; the lock manager is thread-safe.
 */
@Component(service = NlmAdapter.class)
public final class NlmAdapter {
  static final String ADAPTER = "nlm";

  private final LockService locks;
  private final Map<String, PendingLock> pending = new ConcurrentHashMap<>();

  @Activate
  public NlmAdapter(@Reference MetadataService metadata) {
    this.locks = metadata.locks();
  }

  /** The NLM4_LOCK arguments that name a lock. */
  public record NlmLock(
      String share, byte[] fh, String caller, int svid, byte[] oh, long offset, long length) {
    LockOwner owner() {
      return LockOwner.of("nlm:" + caller + ":" + svid + ":" + HexFormat.of().formatHex(oh));
    }

    LockClient client() {
      return new LockClient(caller, ADAPTER);
    }

    ByteRange range() {
      return length == 0 ? ByteRange.toEnd(offset) : ByteRange.span(offset, length);
    }

    LockRequest request(boolean exclusive) {
      return new LockRequest(
          FileHandle.of(fh),
          share,
          owner(),
          client(),
          LockFlavour.POSIX,
          exclusive ? LockType.EXCLUSIVE : LockType.SHARED,
          range());
    }

    String key() {
      return owner() + "|" + HexFormat.of().formatHex(fh) + "|" + range();
    }
  }

  /**
   * NLM4_LOCK. With {@code block}, a conflicting request answers BLOCKED and {@code granted} is
   * called (on the manager's thread) when it is granted later: the adapter then sends NLM4_GRANTED.
   */
  public NlmStatus lock(NlmLock l, boolean exclusive, boolean block, Consumer<Lock> granted) {
    try {
      if (!block) {
        return locks.lock(l.request(exclusive)).granted() ? NlmStatus.GRANTED : NlmStatus.DENIED;
      }
      PendingLock p = locks.lockBlocking(l.request(exclusive), null);
      if (p.isDone()) {
        return p.poll().isPresent() ? NlmStatus.GRANTED : NlmStatus.DENIED;
      }
      pending.put(l.key(), p);
      p.completion()
          .whenComplete(
              (lock, failure) -> {
                pending.remove(l.key(), p);
                if (lock != null) {
                  granted.accept(lock);
                }
              });
      return NlmStatus.BLOCKED;
    } catch (StoreError e) {
      return status(e);
    }
  }

  /** NLM4_TEST: empty if the lock would be granted, else the conflicting holder. */
  public Optional<Lock> test(NlmLock l, boolean exclusive) {
    return locks.test(l.request(exclusive));
  }

  /** NLM4_UNLOCK: releasing bytes not held succeeds (POSIX). */
  public NlmStatus unlock(NlmLock l) {
    try {
      locks.unlock(
          new UnlockRequest(FileHandle.of(l.fh()), l.owner(), LockFlavour.POSIX, l.range()));
      return NlmStatus.GRANTED;
    } catch (StoreError e) {
      return status(e);
    }
  }

  /** NLM4_CANCEL of a blocked NLM4_LOCK: GRANTED if it was still pending, DENIED otherwise. */
  public NlmStatus cancel(NlmLock l) {
    PendingLock p = pending.remove(l.key());
    return p != null && p.cancel() ? NlmStatus.GRANTED : NlmStatus.DENIED;
  }

  /** NSM SM_NOTIFY: the caller rebooted; everything it held goes. */
  public void rebooted(String caller) {
    locks.clientRebooted(new LockClient(caller, ADAPTER));
  }

  private static NlmStatus status(StoreError e) {
    return switch (e.code()) {
      case GRACE_PERIOD -> NlmStatus.DENIED_GRACE_PERIOD;
      case DEADLOCK -> NlmStatus.DEADLCK;
      case LOCK_LIMIT_EXCEEDED, CONNECTION_LIMIT_REACHED -> NlmStatus.DENIED_NOLOCKS;
      default -> NlmStatus.FAILED;
    };
  }
}
