package org.dittofs.metadata.itests;

import org.dittofs.metadata.lock.LockClient;
import org.dittofs.metadata.lock.LockOwner;

/**
 * The clients and owners of a restart test, named after it: an NLM host with two POSIX owners and
 * an SMB session with one WINDOWS owner.
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
}
