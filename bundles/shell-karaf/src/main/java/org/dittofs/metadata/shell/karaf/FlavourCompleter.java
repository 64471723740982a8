package org.dittofs.metadata.shell.karaf;

import java.util.List;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.CommandLine;
import org.dittofs.metadata.shell.LockCompletions;
import org.dittofs.metadata.shell.Suggestion;

/** Lock flavours: posix, windows. */
@Service
public final class FlavourCompleter extends SuggestionCompleter {
  public FlavourCompleter() {
    super(false);
  }

  @Override
  List<Suggestion> suggestions(CommandLine line) {
    return LockCompletions.FLAVOURS;
  }
}
