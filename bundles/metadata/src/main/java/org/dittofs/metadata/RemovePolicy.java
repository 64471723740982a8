package org.dittofs.metadata;

/** What removing a file does to its locks and opens. */
public enum RemovePolicy {
  /**
   * NFS: the file goes, and its locks, opens and waiting requests go with it, in the same store
   * transaction as the file record.
   */
  DROP_LOCKS,
  /** SMB: the removal is refused with LOCKED while any lock or open is held on the file. */
  REFUSE_IF_LOCKED
}
