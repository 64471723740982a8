package org.dittofs.metadata.itests;

import static org.junit.Assert.assertEquals;

import java.util.Map;
import java.util.TreeMap;
import org.dittofs.metadata.errors.ErrorCode;
import org.dittofs.metadata.errors.StoreError;
import org.dittofs.metadata.host.MetadataManager;
import org.dittofs.metadata.lock.ByteRange;
import org.dittofs.metadata.lock.FileHandle;
import org.dittofs.metadata.lock.Lock;
import org.dittofs.metadata.lock.LockClient;
import org.dittofs.metadata.lock.LockFlavour;
import org.dittofs.metadata.lock.LockOwner;
import org.dittofs.metadata.lock.LockRequest;
import org.dittofs.metadata.lock.LockResult;
import org.dittofs.metadata.lock.LockType;
import org.dittofs.metadata.lock.spi.LockQuery;
import org.dittofs.metadata.lock.spi.PersistedLock;
import org.dittofs.metadata.spi.MetadataStore;

/** Lock requests and lock-state snapshots for the in-container tests. */
final class Locks {
  private Locks() {}

  static LockRequest posix(
      FileHandle file, LockOwner owner, LockClient client, LockType type, ByteRange range) {
    return new LockRequest(file, ItestSupport.SHARE, owner, client, LockFlavour.POSIX, type, range);
  }

  static LockRequest windows(
      FileHandle file, LockOwner owner, LockClient client, LockType type, ByteRange range) {
    return new LockRequest(
        file, ItestSupport.SHARE, owner, client, LockFlavour.WINDOWS, type, range);
  }

  /** Locks without waiting and fails the test unless it is granted. */
  static Lock grant(MetadataManager service, LockRequest request) {
    LockResult r = service.locks().lock(request);
    if (!(r instanceof LockResult.Granted g)) {
      throw new AssertionError("not granted: " + request + " -> " + r);
    }
    return g.lock();
  }

  /** Runs {@code call} and fails unless it throws a {@link StoreError} with {@code code}. */
  static StoreError expectError(ErrorCode code, Runnable call) {
    try {
      call.run();
    } catch (StoreError e) {
      assertEquals("error code of " + e.getMessage(), code, e.code());
      return e;
    }
    throw new AssertionError("expected " + code + " but the call succeeded");
  }

  /** The lock records of a store, id to range (opens left out). */
  static Map<String, ByteRange> storedLocks(MetadataStore store) {
    return store.inTransaction(
        tx -> {
          Map<String, ByteRange> out = new TreeMap<>();
          for (PersistedLock r : tx.locks().listLocks(LockQuery.all())) {
            if (r.kind() == PersistedLock.Kind.LOCK) {
              out.put(r.id(), r.range());
            }
          }
          return out;
        });
  }

  /** The locks the service holds on {@code files}, id to range. */
  static Map<String, ByteRange> liveLocks(MetadataManager service, Iterable<FileHandle> files) {
    Map<String, ByteRange> out = new TreeMap<>();
    for (FileHandle f : files) {
      for (Lock l : service.lockManager().locks(f)) {
        out.put(l.id().toString(), l.range());
      }
    }
    return out;
  }

  /** A record as the tests compare it: every field but the acquisition time (stores round it). */
  static String describe(PersistedLock r) {
    return r.kind()
        + " "
        + r.flavour()
        + " "
        + r.type()
        + " "
        + r.range()
        + " access="
        + r.access()
        + " deny="
        + r.deny()
        + " owner="
        + r.owner()
        + " client="
        + r.clientId()
        + "/"
        + r.adapter()
        + " file="
        + r.file()
        + " share="
        + r.share()
        + " epoch="
        + r.epoch();
  }

  /** Every lock and open record of a store, id to {@link #describe}. */
  static Map<String, String> storedRecords(MetadataStore store) {
    return store.inTransaction(
        tx -> {
          Map<String, String> out = new TreeMap<>();
          for (PersistedLock r : tx.locks().listLocks(LockQuery.all())) {
            out.put(r.id(), describe(r));
          }
          return out;
        });
  }

  /** Every lock and open the service holds on {@code files}, id to {@link #describe}. */
  static Map<String, String> liveRecords(MetadataManager service, Iterable<FileHandle> files) {
    Map<String, String> out = new TreeMap<>();
    for (FileHandle f : files) {
      for (Lock l : service.lockManager().locks(f)) {
        out.put(l.id().toString(), describe(PersistedLock.of(l)));
      }
      for (org.dittofs.metadata.lock.ShareReservation o : service.lockManager().opens(f)) {
        out.put(o.id().toString(), describe(PersistedLock.of(o)));
      }
    }
    return out;
  }
}
