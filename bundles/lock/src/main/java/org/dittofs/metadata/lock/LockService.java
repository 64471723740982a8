package org.dittofs.metadata.lock;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.osgi.annotation.versioning.ProviderType;

/**
 * What protocol adapters (NLM/NFSv3, NFSv4, SMB) call: byte-range locks of the POSIX and WINDOWS
 * flavours, blocking requests, share reservations (opens), the I/O checks of read and write paths,
 * reclaims during the grace period and client lifecycle, with the semantics of the project's lock
 * contract ({@code docs/lock-semantics.md}). An adapter takes it from {@code
 * org.dittofs.metadata.MetadataService#locks()}; it cannot change the store, the configuration or
 * the manager's life, which belong to the host ({@code
 * org.dittofs.metadata.lock.host.LockManager}).
 *
 * <p>Thread-safety: every method may be called from any thread. Each operation on a file is atomic
 * with respect to every other operation on the same file (it sees and leaves a consistent table);
 * operations on different files do not wait for each other.
 *
 * <p>Errors: every method throws {@link org.dittofs.metadata.errors.StoreError} with a precise code
 * on malformed input (INVALID_ARGUMENT, INVALID_HANDLE) and on refusals other than a lock conflict;
 * a refused call changes nothing. A lock conflict is an answer ({@link LockResult.Denied}), not an
 * exception.
 */
@ProviderType
public interface LockService {
  /**
   * Acquires one lock without waiting.
   *
   * <p>POSIX: the grant replaces the owner's bytes in the range: same-type locks that overlap or
   * touch are coalesced into one record, other-type locks are split; upgrades and downgrades are
   * atomic. WINDOWS: the grant is a new record (identical locks stack).
   *
   * @return granted with the resulting record, or denied with the deterministic conflict (lowest
   *     first byte, then oldest); on denial nothing changed
   * @throws org.dittofs.metadata.errors.StoreError INVALID_ARGUMENT if the request's flavour
   *     differs from the owner's existing locks or the owner id is too long
   */
  LockResult lock(LockRequest request);

  /**
   * Acquires several WINDOWS locks of one owner on one file, all or nothing (SMB2 LOCK with several
   * elements). The elements are checked in order, each against the table and the elements before
   * it; if any conflicts, none is granted.
   *
   * @param requests one or more requests of the same file and owner; more than one only for WINDOWS
   * @return granted with one record per request, in order, or denied with the first conflict; when
   *     an element conflicts with an earlier element of the same request (two EXCLUSIVE locks on
   *     one range), the reported conflict is that earlier element as it would have been granted:
   *     its id is in no table
   * @throws org.dittofs.metadata.errors.StoreError INVALID_ARGUMENT if the list is empty, mixes
   *     files or owners, or has several POSIX requests
   */
  LockResult lockAll(List<LockRequest> requests);

  /**
   * Releases bytes. POSIX: removes the owner's bytes in the range, splitting as needed; releasing
   * bytes not held succeeds and changes nothing. WINDOWS: removes one lock of the owner with
   * exactly this range, the EXCLUSIVE one first where an EXCLUSIVE and a SHARED lock are stacked.
   *
   * @throws org.dittofs.metadata.errors.StoreError LOCK_NOT_FOUND for a WINDOWS release that
   *     matches no lock of the owner; INVALID_ARGUMENT for a flavour mismatch
   */
  void unlock(UnlockRequest request);

  /**
   * Applies several releases in order, stopping at the first failure (SMB2 LOCK with several unlock
   * elements). Releases before the failing one stay applied.
   *
   * @throws org.dittofs.metadata.errors.StoreError the failure of the first failing element; its
   *     message says which element failed and how many were applied
   */
  void unlockAll(List<UnlockRequest> requests);

  /**
   * Answers "would this lock be granted now" with the same predicate as {@link #lock}, changing
   * nothing (F_GETLK, NLM_TEST, LOCKT).
   *
   * @return empty if it would be granted, else the conflicting lock with the lowest first byte,
   *     then the oldest
   */
  Optional<Lock> test(LockRequest request);

  /**
   * Opens a file with a share reservation. Checked in O(1) against every other open of the file,
   * the same owner's included.
   *
   * @throws org.dittofs.metadata.errors.StoreError SHARE_DENIED if the access meets another open's
   *     deny or the deny meets another open's access
   */
  ShareReservation open(OpenRequest request);

  /**
   * Reduces an open's access and deny to subsets of what it holds (OPEN_DOWNGRADE). Never
   * conflicts.
   *
   * @return the updated reservation (same id)
   * @throws org.dittofs.metadata.errors.StoreError NOT_FOUND if there is no such open on the file;
   *     INVALID_ARGUMENT if the new modes are not subsets of the held ones
   */
  ShareReservation downgrade(
      FileHandle file, LockId open, Set<ShareAccess> access, Set<ShareAccess> deny);

  /**
   * Closes an open, releasing its reservation.
   *
   * @throws org.dittofs.metadata.errors.StoreError NOT_FOUND if there is no such open on the file
   */
  void close(FileHandle file, LockId open);

  /**
   * Checks a protocol read: WINDOWS locks of other owners that are EXCLUSIVE block it; POSIX locks
   * block it (other owners' EXCLUSIVE) only when {@code mode} is MANDATORY.
   *
   * @throws org.dittofs.metadata.errors.StoreError LOCK_CONFLICT naming the conflicting lock
   */
  void checkRead(FileHandle file, LockOwner owner, ByteRange range, LockingMode mode);

  /**
   * Checks a protocol write: any WINDOWS SHARED lock (the writer's own included) and other owners'
   * WINDOWS EXCLUSIVE locks block it; POSIX locks of other owners block it only when {@code mode}
   * is MANDATORY.
   *
   * @throws org.dittofs.metadata.errors.StoreError LOCK_CONFLICT naming the conflicting lock
   */
  void checkWrite(FileHandle file, LockOwner owner, ByteRange range, LockingMode mode);

  /**
   * Acquires one lock, waiting if it conflicts (SPEC 5). Waiters on a file form a FIFO; when a
   * conflict clears they are re-checked in order and granted atomically. Under FIFO fairness a new
   * request never overtakes a conflicting waiter.
   *
   * @param timeout how long to wait at most; null for the configured default
   * @return the pending request, already complete if it was granted at once
   * @throws org.dittofs.metadata.errors.StoreError DEADLOCK if waiting would close a cycle in the
   *     wait-for graph (the blockers are in the error's detail); LOCK_LIMIT_EXCEEDED when the
   *     file's waiter cap is reached; GRACE_PERIOD, INVALID_ARGUMENT and STORE_UNAVAILABLE as
   *     {@link #lock}
   */
  PendingLock lockBlocking(LockRequest request, Duration timeout);

  /**
   * Reclaims a lock held before the restart, during the grace period (NLM reclaim, NFSv4 CLAIM
   * reclaim). Granted only if the restored state holds a lock of that owner and client with the
   * same range and the same or a stronger type; the reclaimed record replaces it.
   *
   * @return granted with the owner's record covering the range (POSIX: coalesced with its live
   *     same-type locks), or denied, changing nothing, if that coalesced record would conflict with
   *     another owner's lock (a WINDOWS zero-length lock on the boundary the merge closes)
   * @throws org.dittofs.metadata.errors.StoreError NOT_IN_GRACE outside the grace period;
   *     LOCK_NOT_FOUND if no restored lock matches
   */
  LockResult reclaim(LockRequest request);

  /**
   * Reclaims an open held before the restart: granted only if the restored state holds an open of
   * that owner and client on the file whose access and deny include the requested ones.
   *
   * @throws org.dittofs.metadata.errors.StoreError NOT_IN_GRACE or LOCK_NOT_FOUND
   */
  ShareReservation reclaimOpen(OpenRequest request);

  /**
   * A client declares that it has reclaimed everything (NFSv4 RECLAIM_COMPLETE). Grace ends early
   * once every expected client has declared so.
   */
  void reclaimComplete(LockClient client);

  /** The grace period's state. */
  GraceStatus graceStatus();

  /**
   * Registers a client, or registers it again (which cancels a pending ttl release).
   *
   * @param ttl how long its state outlives {@link #unregisterClient}; zero releases at once
   * @throws org.dittofs.metadata.errors.StoreError CONNECTION_LIMIT_REACHED at the adapter's cap
   */
  void registerClient(LockClient client, String remoteAddress, Duration ttl);

  /**
   * Ends a client's registration: its locks, opens and waiters are released now (ttl 0) or when its
   * ttl runs out, unless it registers again first. Unregistering twice releases once.
   */
  void unregisterClient(LockClient client);

  /** The client rebooted (NSM SM_NOTIFY): all of its state is released now. */
  void clientRebooted(LockClient client);

  /** Refreshes a client's lease without a request. */
  void keepAlive(LockClient client);
}
