package org.dittofs.metadata.lock;

/**
 * The lock semantics an owner follows. Fixed per owner by its first request; a request of the other
 * flavour while the owner holds locks is INVALID_ARGUMENT.
 */
public enum LockFlavour {
  /**
   * fcntl, NLM and NFSv4 semantics: an owner's locks never conflict with each other; a new lock
   * replaces the owner's bytes in its range, coalescing same-type neighbours and splitting others;
   * releases split and succeed on bytes not held.
   */
  POSIX,
  /**
   * MS-FSA / SMB2 semantics: every grant is its own record (identical locks stack); an owner's new
   * EXCLUSIVE lock conflicts with its own overlapping locks; release must match a held range
   * exactly; zero-length ranges exist; locks are mandatory for I/O.
   */
  WINDOWS
}
