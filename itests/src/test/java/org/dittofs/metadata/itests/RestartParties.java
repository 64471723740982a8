package org.dittofs.metadata.itests;

import static org.dittofs.metadata.itests.Locks.expectError;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.util.Set;
import org.dittofs.metadata.errors.ErrorCode;
import org.dittofs.metadata.host.MetadataManager;
import org.dittofs.metadata.lock.ByteRange;
import org.dittofs.metadata.lock.FileHandle;
import org.dittofs.metadata.lock.GraceStatus;
import org.dittofs.metadata.lock.LockClient;
import org.dittofs.metadata.lock.LockOwner;
import org.dittofs.metadata.lock.LockRequest;
import org.dittofs.metadata.lock.LockType;

/**
 * The clients and owners of a restart test, named after it: an NLM host with two POSIX owners and
 * an SMB session with one WINDOWS owner; the POSIX requests the restart tests share, and their
 * check of the grace period after a restart with locks held.
 */
record RestartParties(
    LockClient nlm, LockClient smb, LockOwner posix, LockOwner otherPosix, LockOwner windows) {

  static RestartParties named(String name) {
    return new RestartParties(
        new LockClient(name + "-host", "nlm"),
        new LockClient(name + "-session", "smb"),
        LockOwner.of("nlm:" + name + "-host:7:oh"),
        LockOwner.of("nlm:" + name + "-host:8:oh"),
        LockOwner.of("smb:" + name + "-session:fid-1"));
  }

  /** The first POSIX owner's exclusive lock on bytes 0-99: held at the stop, then reclaimed. */
  LockRequest heldPosix(FileHandle file) {
    return Locks.posix(file, posix, nlm, LockType.EXCLUSIVE, ByteRange.span(0, 100));
  }

  /** The other POSIX owner's new shared lock on byte 500: refused in grace, granted after it. */
  LockRequest newPosix(FileHandle file) {
    return Locks.posix(file, otherPosix, nlm, LockType.SHARED, ByteRange.span(500, 1));
  }

  /**
   * After a restart with locks held: grace entered with {@code restored} records, both clients
   * expected to reclaim, a new lock on {@code file} refused with GRACE_PERIOD. Returns the status.
   */
  GraceStatus assertGrace(MetadataManager service, FileHandle file, int restored) {
    GraceStatus grace = service.locks().graceStatus();
    System.out.println("[itests] after the restart: " + grace);
    assertTrue("grace entered", grace.active());
    assertEquals("records restored", restored, grace.restoredRecords());
    assertEquals("clients expected to reclaim", Set.of(nlm, smb), grace.expectedClients());
    expectError(ErrorCode.GRACE_PERIOD, () -> service.locks().lock(newPosix(file)));
    return grace;
  }
}
