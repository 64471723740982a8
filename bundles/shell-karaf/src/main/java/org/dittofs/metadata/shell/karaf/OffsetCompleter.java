package org.dittofs.metadata.shell.karaf;

import java.util.List;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.CommandLine;
import org.dittofs.metadata.shell.Suggestion;

/** Offsets: 0 is offered, any number typed is accepted (the command checks it). */
@Service
public final class OffsetCompleter extends SuggestionCompleter {
  public OffsetCompleter() {
    super(true);
  }

  @Override
  List<Suggestion> suggestions(CommandLine line) {
    return List.of(new Suggestion("0", "the first byte of the file"));
  }
}
