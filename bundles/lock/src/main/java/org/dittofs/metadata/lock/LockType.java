package org.dittofs.metadata.lock;

/** The type of a byte-range lock. */
public enum LockType {
  /** A read lock: compatible with other SHARED locks. */
  SHARED,
  /** A write lock: conflicts with every overlapping lock of another owner. */
  EXCLUSIVE
}
