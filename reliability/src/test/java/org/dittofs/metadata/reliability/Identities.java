package org.dittofs.metadata.reliability;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.dittofs.metadata.lock.FileHandle;
import org.dittofs.metadata.lock.LockClient;
import org.dittofs.metadata.lock.LockFlavour;
import org.dittofs.metadata.lock.LockOwner;

/**
 * Who the client threads are and what they work on. Client thread {@code t} acts as two owners,
 * each through its own client: an NLM owner (POSIX locks) and an SMB owner (WINDOWS locks and
 * opens). Every owner belongs to exactly one thread, so the thread's acknowledgements are the whole
 * history of its owners. Besides the shared files, thread {@code t} holds byte {@code t} of the
 * anchor file from its first run on and never releases it, so that every restart restores state and
 * has clients that can end the grace period.
 */
final class Identities {
  static final String SHARE = "export";
  static final List<String> FILES = List.of("f0", "f1", "f2", "f3");
  static final String ANCHOR = "anchor";
  static final List<String> ALL_FILES = List.of("f0", "f1", "f2", "f3", ANCHOR);

  private static final String NLM = "nlm:host-";
  private static final String SMB = "smb:session-";

  private Identities() {}

  static LockOwner owner(int thread, LockFlavour flavour) {
    return LockOwner.of((flavour == LockFlavour.POSIX ? NLM : SMB) + thread + ":1");
  }

  static LockClient client(int thread, LockFlavour flavour) {
    return flavour == LockFlavour.POSIX
        ? new LockClient("host-" + thread, "nlm")
        : new LockClient("session-" + thread, "smb");
  }

  /** The thread an owner id belongs to, or -1 if no client thread uses it. */
  static int thread(String ownerId) {
    String rest;
    if (ownerId.startsWith(NLM)) {
      rest = ownerId.substring(NLM.length());
    } else if (ownerId.startsWith(SMB)) {
      rest = ownerId.substring(SMB.length());
    } else {
      return -1;
    }
    int colon = rest.indexOf(':');
    try {
      return colon < 0 ? -1 : Integer.parseInt(rest.substring(0, colon));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  static FileHandle handle(String file) {
    return FileHandle.of(file);
  }

  static String name(FileHandle handle) {
    return new String(handle.bytes(), StandardCharsets.UTF_8);
  }
}
