package org.dittofs.metadata.shell.karaf;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.dittofs.metadata.shell.Usage;

/** {@value Usage#TEST}. */
@Service
@Command(scope = Usage.LOCK_SCOPE, name = "test", description = Usage.TEST_TEXT)
public final class LockTestCommand extends TypedRangeAction {
  @Override
  public Object execute() {
    shell.test(System.out, words());
    return null;
  }
}
