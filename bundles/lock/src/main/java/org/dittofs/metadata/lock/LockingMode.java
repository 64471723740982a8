package org.dittofs.metadata.lock;

/** Whether POSIX byte-range locks restrict I/O on a share. Windows locks always do. */
public enum LockingMode {
  /** POSIX locks are advisory: they do not block reads or writes. The default. */
  ADVISORY,
  /** POSIX locks are mandatory: another owner's locks block conflicting reads and writes. */
  MANDATORY
}
