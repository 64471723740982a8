package org.dittofs.metadata.shell.karaf;

import java.util.List;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.CommandLine;
import org.dittofs.metadata.shell.LockCompletions;
import org.dittofs.metadata.shell.Suggestion;

/** Lengths: eof is offered, any number typed is accepted (the command checks it). */
@Service
public final class LengthCompleter extends SuggestionCompleter {
  public LengthCompleter() {
    super(true);
  }

  @Override
  List<Suggestion> suggestions(CommandLine line) {
    return LockCompletions.LENGTHS;
  }
}
