package org.dittofs.metadata.shell.karaf;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.dittofs.metadata.shell.StoreShell;
import org.dittofs.metadata.shell.Usage;

/** {@code store:help}. */
@Service
@Command(scope = Usage.STORE_SCOPE, name = "help", description = Usage.STORE_HELP_TEXT)
public final class StoreHelpCommand implements Action {
  @Reference StoreShell shell;

  @Override
  public Object execute() {
    shell.help(System.out);
    return null;
  }
}
