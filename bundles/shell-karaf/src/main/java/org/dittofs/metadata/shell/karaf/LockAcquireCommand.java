package org.dittofs.metadata.shell.karaf;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.dittofs.metadata.shell.Usage;

/** {@value Usage#ACQUIRE}. */
@Service
@Command(scope = Usage.LOCK_SCOPE, name = "acquire", description = Usage.ACQUIRE_TEXT)
public final class LockAcquireCommand extends TypedRangeAction {
  @Override
  public Object execute() {
    shell.acquire(System.out, words());
    return null;
  }
}
