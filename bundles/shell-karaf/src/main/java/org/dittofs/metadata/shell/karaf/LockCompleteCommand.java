package org.dittofs.metadata.shell.karaf;

import java.util.List;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.dittofs.metadata.shell.LockShell;
import org.dittofs.metadata.shell.Usage;

/** {@value Usage#COMPLETE}. */
@Service
@Command(scope = Usage.LOCK_SCOPE, name = "complete", description = Usage.COMPLETE_TEXT)
public final class LockCompleteCommand implements Action {
  @Reference LockShell shell;

  @Argument(
      index = 0,
      name = "owner",
      description = Usage.OWNER_TEXT,
      required = true,
      multiValued = true)
  @Completion(CompletingOwnerCompleter.class)
  List<String> owners;

  @Override
  public Object execute() {
    shell.complete(System.out, owners.toArray(new String[0]));
    return null;
  }
}
