package org.dittofs.metadata.reliability;

import org.dittofs.metadata.errors.StoreError;
import org.dittofs.metadata.lock.LockFlavour;
import org.dittofs.metadata.lock.LockRequest;
import org.dittofs.metadata.lock.LockResult;
import org.dittofs.metadata.lock.LockType;
import org.dittofs.metadata.lock.OpenRequest;
import org.dittofs.metadata.lock.host.LockManager;
import org.dittofs.metadata.store.postgres.TextForms;

/**
 * The child's side of the reclaim phase: each {@code RECLAIM} command is one reclaim on behalf of a
 * client thread's owner, answered by one {@code RESULT} line ({@code OK [open id]}, {@code DENIED}
 * or {@code ERR <code>}). Commands:
 *
 * <ul>
 *   <li>{@code RECLAIM <thread> P|W <file> <range> S|X}: a POSIX or WINDOWS lock;
 *   <li>{@code RECLAIM <thread> O <file> <access> <deny>}: an open.
 * </ul>
 */
final class Reclaimer {
  private final LockManager locks;
  private final Journal journal;

  Reclaimer(LockManager locks, Journal journal) {
    this.locks = locks;
    this.journal = journal;
  }

  void reclaim(String[] w) {
    int t = Integer.parseInt(w[1]);
    String file = w[3];
    try {
      if (w[2].equals("O")) {
        String id =
            locks
                .reclaimOpen(
                    new OpenRequest(
                        Identities.handle(file),
                        Identities.SHARE,
                        Identities.owner(t, LockFlavour.WINDOWS),
                        Identities.client(t, LockFlavour.WINDOWS),
                        TextForms.modes(w[4]),
                        TextForms.modes(w[5])))
                .id()
                .toString();
        journal.line("RESULT OK " + id);
        return;
      }
      LockFlavour f = w[2].equals("P") ? LockFlavour.POSIX : LockFlavour.WINDOWS;
      LockResult r =
          locks.reclaim(
              LockRequest.builder(Identities.handle(file), Identities.owner(t, f))
                  .share(Identities.SHARE)
                  .client(Identities.client(t, f))
                  .flavour(f)
                  .type(w[5].equals("S") ? LockType.SHARED : LockType.EXCLUSIVE)
                  .range(TextForms.range(w[4]))
                  .build());
      journal.line(r.granted() ? "RESULT OK" : "RESULT DENIED");
    } catch (StoreError e) {
      journal.line("RESULT ERR " + e.code().name());
    } catch (RuntimeException e) {
      journal.line("RESULT ERR CRASH:" + e.getClass().getName());
    }
  }

  /** Every client of every thread declares its reclaims complete. */
  void completeAll(int threads) {
    for (int t = 0; t < threads; t++) {
      for (LockFlavour f : LockFlavour.values()) {
        locks.reclaimComplete(Identities.client(t, f));
      }
    }
    journal.line("DONE COMPLETE");
  }
}
