package org.dittofs.metadata.shell.karaf;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.dittofs.metadata.shell.Usage;

/** {@value Usage#RECLAIM}. */
@Service
@Command(scope = Usage.LOCK_SCOPE, name = "reclaim", description = Usage.RECLAIM_TEXT)
public final class LockReclaimCommand extends TypedRangeAction {
  @Override
  public Object execute() {
    shell.reclaim(System.out, words());
    return null;
  }
}
