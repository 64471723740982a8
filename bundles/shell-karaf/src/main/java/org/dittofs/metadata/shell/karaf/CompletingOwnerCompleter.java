package org.dittofs.metadata.shell.karaf;

import java.util.List;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.CommandLine;
import org.dittofs.metadata.shell.LockShell;
import org.dittofs.metadata.shell.Suggestion;

/** For {@code lock:complete}: the owners grace still waits for first, owners not yet named. */
@Service
public final class CompletingOwnerCompleter extends SuggestionCompleter {
  @Reference LockShell shell;

  public CompletingOwnerCompleter() {
    super(true);
  }

  @Override
  List<Suggestion> suggestions(CommandLine line) {
    List<String> named = before(line);
    return shell.completions().completingOwners().stream()
        .filter(s -> !named.contains(s.value()))
        .toList();
  }
}
