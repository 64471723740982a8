package org.dittofs.metadata.shell.karaf;

import java.util.List;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.CommandLine;
import org.dittofs.metadata.shell.LockShell;
import org.dittofs.metadata.shell.Suggestion;

/** Files with locks in the shell's share; any other file name is accepted. */
@Service
public final class LockFileCompleter extends SuggestionCompleter {
  @Reference LockShell shell;

  public LockFileCompleter() {
    super(true);
  }

  @Override
  List<Suggestion> suggestions(CommandLine line) {
    return shell.completions().files();
  }
}
