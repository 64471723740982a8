package org.dittofs.metadata.lock;

/** One bit of an open's access mode or deny mode (share reservation). */
public enum ShareAccess {
  READ,
  WRITE,
  DELETE;

  /** This bit as a mask. */
  public int bit() {
    return 1 << ordinal();
  }
}
