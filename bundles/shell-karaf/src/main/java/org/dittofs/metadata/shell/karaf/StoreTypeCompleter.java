package org.dittofs.metadata.shell.karaf;

import java.util.List;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.CommandLine;
import org.dittofs.metadata.shell.StoreShell;
import org.dittofs.metadata.shell.Suggestion;

/** The store types registered now, each with its stores (name, ranking, service.id). */
@Service
public final class StoreTypeCompleter extends SuggestionCompleter {
  @Reference StoreShell shell;

  public StoreTypeCompleter() {
    super(false);
  }

  @Override
  List<Suggestion> suggestions(CommandLine line) {
    return shell.types();
  }
}
