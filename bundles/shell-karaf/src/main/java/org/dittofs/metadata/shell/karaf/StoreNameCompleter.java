package org.dittofs.metadata.shell.karaf;

import java.util.List;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.CommandLine;
import org.dittofs.metadata.shell.StoreShell;
import org.dittofs.metadata.shell.Suggestion;

/** The names ({@code store.name}) of the registered stores of the type given before. */
@Service
public final class StoreNameCompleter extends SuggestionCompleter {
  @Reference StoreShell shell;

  public StoreNameCompleter() {
    super(false);
  }

  @Override
  List<Suggestion> suggestions(CommandLine line) {
    List<String> before = before(line);
    // store:swap [options] <type> <name>: the type is the word before the name
    String type = before.size() >= 2 ? before.get(before.size() - 1) : null;
    return shell.names(type);
  }
}
