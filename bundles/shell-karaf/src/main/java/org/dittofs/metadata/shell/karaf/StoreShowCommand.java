package org.dittofs.metadata.shell.karaf;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.dittofs.metadata.shell.StoreShell;
import org.dittofs.metadata.shell.Usage;

/** {@code store:show}. */
@Service
@Command(scope = Usage.STORE_SCOPE, name = "show", description = Usage.SHOW_TEXT)
public final class StoreShowCommand implements Action {
  @Reference StoreShell shell;

  @Override
  public Object execute() {
    shell.show(System.out);
    return null;
  }
}
