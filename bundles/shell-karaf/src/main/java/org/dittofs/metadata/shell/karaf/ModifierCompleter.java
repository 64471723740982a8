package org.dittofs.metadata.shell.karaf;

import java.util.ArrayList;
import java.util.List;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.CommandLine;
import org.dittofs.metadata.shell.LockCompletions;
import org.dittofs.metadata.shell.Suggestion;

/**
 * The words after a range: a lock type unless one was given, a flavour unless one was given.
 * Closed: nothing else is a modifier.
 */
@Service
public final class ModifierCompleter extends SuggestionCompleter {
  public ModifierCompleter() {
    super(false);
  }

  @Override
  List<Suggestion> suggestions(CommandLine line) {
    List<String> given = before(line).stream().map(String::toLowerCase).toList();
    List<Suggestion> out = new ArrayList<>();
    if (LockCompletions.TYPES.stream().noneMatch(s -> given.contains(s.value()))) {
      out.addAll(LockCompletions.TYPES);
    }
    if (LockCompletions.FLAVOURS.stream().noneMatch(s -> given.contains(s.value()))) {
      out.addAll(LockCompletions.FLAVOURS);
    }
    return out;
  }
}
