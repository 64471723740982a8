package org.dittofs.metadata.shell.karaf;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.dittofs.metadata.shell.LockShell;
import org.dittofs.metadata.shell.Usage;

/** {@code lock:help}. */
@Service
@Command(scope = Usage.LOCK_SCOPE, name = "help", description = Usage.LOCK_HELP_TEXT)
public final class LockHelpCommand implements Action {
  @Reference LockShell shell;

  @Override
  public Object execute() {
    shell.help(System.out);
    return null;
  }
}
