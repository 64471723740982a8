package org.dittofs.metadata.shell.karaf;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.dittofs.metadata.shell.LockShell;
import org.dittofs.metadata.shell.Usage;

/** {@value Usage#LIST}. */
@Service
@Command(scope = Usage.LOCK_SCOPE, name = "list", description = Usage.LIST_TEXT)
public final class LockListCommand implements Action {
  @Reference LockShell shell;

  @Argument(index = 0, name = "file", description = Usage.FILE_TEXT)
  @Completion(LockFileCompleter.class)
  String file;

  @Override
  public Object execute() {
    shell.list(System.out, file == null ? new String[0] : new String[] {file});
    return null;
  }
}
