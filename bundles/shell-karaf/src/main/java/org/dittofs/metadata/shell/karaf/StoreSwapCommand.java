package org.dittofs.metadata.shell.karaf;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.dittofs.metadata.shell.StoreShell;
import org.dittofs.metadata.shell.Usage;

/** {@value Usage#SWAP}. */
@Service
@Command(scope = Usage.STORE_SCOPE, name = "swap", description = Usage.SWAP_TEXT)
public final class StoreSwapCommand implements Action {
  @Reference StoreShell shell;

  @Argument(index = 0, name = "type", description = Usage.TYPE_TEXT, required = true)
  @Completion(StoreTypeCompleter.class)
  String type;

  @Argument(index = 1, name = "name", description = Usage.NAME_TEXT)
  @Completion(StoreNameCompleter.class)
  String name;

  @Override
  public Object execute() {
    shell.swap(System.out, name == null ? new String[] {type} : new String[] {type, name});
    return null;
  }
}
