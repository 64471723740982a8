package org.dittofs.metadata.shell.karaf;

import java.util.List;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.CommandLine;
import org.dittofs.metadata.shell.LockShell;
import org.dittofs.metadata.shell.Suggestion;

/** Lock owners: those holding locks, then shell clients holding none; any new owner is accepted. */
@Service
public final class OwnerCompleter extends SuggestionCompleter {
  @Reference LockShell shell;

  public OwnerCompleter() {
    super(true);
  }

  @Override
  List<Suggestion> suggestions(CommandLine line) {
    return shell.completions().owners();
  }
}
