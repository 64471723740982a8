package org.dittofs.metadata.errors;

/**
 * Every failure a metadata store or the lock manager reports. Protocol adapters map each code to
 * their own status (NFS3ERR_*, NLM4_*, NFS4ERR_*, STATUS_*); the mapping is theirs, the meaning is
 * fixed here.
 */
public enum ErrorCode {
  /** The file, path or record does not exist. */
  NOT_FOUND,
  /** The caller is not allowed to do this to this object. */
  ACCESS_DENIED,
  /** The request carried no (valid) credentials. */
  AUTH_REQUIRED,
  /** The file's permissions forbid the operation. */
  PERMISSION_DENIED,
  /** The name is already taken. */
  ALREADY_EXISTS,
  /** The directory still has entries. */
  NOT_EMPTY,
  /** A directory was given where a file was expected. */
  IS_DIRECTORY,
  /** A file was given where a directory was expected. */
  NOT_DIRECTORY,
  /** A parameter is malformed or out of range; the message names it. */
  INVALID_ARGUMENT,
  /** The backing store failed while reading or writing. */
  IO_ERROR,
  /** The backing store is full. */
  NO_SPACE,
  /** A quota would be exceeded. */
  QUOTA_EXCEEDED,
  /** The share or store is read-only. */
  READ_ONLY,
  /** The operation is not supported by this store or flavour. */
  NOT_SUPPORTED,
  /** The file handle is malformed. */
  INVALID_HANDLE,
  /** The file handle referred to an object that no longer exists. */
  STALE_HANDLE,
  /** The file is locked: the operation is refused while locks or opens are held. */
  LOCKED,
  /** No lock (or open) of that owner matches the request. */
  LOCK_NOT_FOUND,
  /** The operation needs a privilege the caller does not hold. */
  PRIVILEGE_REQUIRED,
  /** A name component is longer than allowed. */
  NAME_TOO_LONG,
  /** Waiting would close a cycle in the wait-for graph. */
  DEADLOCK,
  /** New state is refused while the server recovers after a restart. */
  GRACE_PERIOD,
  /** A lock limit (per file, per client, total, waiters per file) was reached. */
  LOCK_LIMIT_EXCEEDED,
  /** Another owner's lock conflicts with the request or the I/O. */
  LOCK_CONFLICT,
  /** The adapter's connection cap was reached. */
  CONNECTION_LIMIT_REACHED,
  /** An open's access or deny mode conflicts with another open of the file. */
  SHARE_DENIED,
  /** A pending lock request waited longer than its timeout. */
  TIMED_OUT,
  /** A pending lock request was cancelled. */
  CANCELLED,
  /** A reclaim arrived when no grace period is running. */
  NOT_IN_GRACE,
  /** The persistence store cannot take the write; nothing was changed. */
  STORE_UNAVAILABLE
}
