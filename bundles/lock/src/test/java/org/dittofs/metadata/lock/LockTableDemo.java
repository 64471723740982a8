package org.dittofs.metadata.lock;

import java.util.List;
import java.util.Optional;
import org.dittofs.metadata.errors.StoreError;
import org.dittofs.metadata.lock.host.LockManager;
import org.dittofs.metadata.lock.host.LockManagers;

/**
 * A scripted first look at the lock table, run by the README's first command until the OSGi
 * runnable exists: NLM, NFSv4 and SMB owners lock, conflict, test, split, stack and release on one
 * file, and every decision is printed.
 */
public final class LockTableDemo {
  private final LockManager locks = LockManagers.builder().build();
  private final FileHandle file = FileHandle.of("export/report.txt");

  public static void main(String[] args) {
    new LockTableDemo().run();
  }

  private void run() {
    say("DittoFS Lock demo: one file, three protocols, one lock table");
    LockRequest nlmWrite = posix("nlm:alpha:17:fh1", "alpha", "nlm", LockType.EXCLUSIVE, 0, 100);
    LockRequest smbRead = windows("smb:s1:fid7", LockType.SHARED, ByteRange.span(50, 10));
    lock("NLM client alpha takes an exclusive lock on bytes 0-99", nlmWrite);
    lock("SMB session s1 asks for a shared lock on bytes 50-59 (cross-protocol)", smbRead);
    test(
        "NFSv4 client beta tests a shared lock on bytes 90-119",
        posix("nfs4:beta:open-owner-3", "beta", "nfs4", LockType.SHARED, 90, 30));
    say("NLM alpha releases bytes 40-59 of its lock: the lock splits in two");
    locks.unlock(
        new UnlockRequest(file, nlmWrite.owner(), LockFlavour.POSIX, ByteRange.span(40, 20)));
    show();
    lock("SMB session s1 retries its shared lock on bytes 50-59", smbRead);
    lock("SMB session s1 stacks an identical shared lock", smbRead);
    lock(
        "NLM alpha re-locks bytes 30-69 exclusively (conflicts with the SMB locks)",
        posix("nlm:alpha:17:fh1", "alpha", "nlm", LockType.EXCLUSIVE, 30, 40));
    try {
      locks.checkWrite(
          file,
          LockOwner.of("nfs4:beta:open-owner-3"),
          ByteRange.span(55, 1),
          LockingMode.ADVISORY);
      say("  write by beta to byte 55: allowed");
    } catch (StoreError e) {
      say("  write by beta to byte 55: refused, " + e.code() + " (" + e.getMessage() + ")");
    }
    say("SMB session s1 releases one of its stacked locks, then the other");
    LockOwner smb = LockOwner.of("smb:s1:fid7");
    locks.unlock(new UnlockRequest(file, smb, LockFlavour.WINDOWS, ByteRange.span(50, 10)));
    locks.unlock(new UnlockRequest(file, smb, LockFlavour.WINDOWS, ByteRange.span(50, 10)));
    try {
      locks.unlock(new UnlockRequest(file, smb, LockFlavour.WINDOWS, ByteRange.span(50, 10)));
    } catch (StoreError e) {
      say("  a third release is refused: " + e.code());
    }
    lock(
        "NLM alpha re-locks bytes 30-69 exclusively again: coalesced with its neighbours",
        posix("nlm:alpha:17:fh1", "alpha", "nlm", LockType.EXCLUSIVE, 30, 40));
    say("NLM alpha releases everything");
    locks.unlock(new UnlockRequest(file, nlmWrite.owner(), LockFlavour.POSIX, ByteRange.whole()));
    show();
    say("Locks held in total: " + locks.lockCount());
  }

  private LockRequest posix(
      String owner, String client, String adapter, LockType type, long off, long len) {
    return new LockRequest(
        file,
        "export",
        LockOwner.of(owner),
        new LockClient(client, adapter),
        LockFlavour.POSIX,
        type,
        ByteRange.span(off, len));
  }

  private LockRequest windows(String owner, LockType type, ByteRange range) {
    return new LockRequest(
        file,
        "export",
        LockOwner.of(owner),
        new LockClient("s1", "smb"),
        LockFlavour.WINDOWS,
        type,
        range);
  }

  private void lock(String what, LockRequest req) {
    say(what);
    LockResult r = locks.lock(req);
    if (r instanceof LockResult.Granted g) {
      say("  GRANTED: " + g.lock());
    } else if (r instanceof LockResult.Denied d) {
      say("  DENIED, conflicts with " + d.conflict());
    }
    show();
  }

  private void test(String what, LockRequest req) {
    say(what);
    Optional<Lock> c = locks.test(req);
    say(c.map(l -> "  TEST: would conflict with " + l).orElse("  TEST: would be granted"));
  }

  private void show() {
    List<Lock> held = locks.locks(file);
    say("  table: " + (held.isEmpty() ? "(empty)" : ""));
    held.forEach(l -> say("    " + l));
  }

  private static void say(String line) {
    System.out.println(line);
  }
}
