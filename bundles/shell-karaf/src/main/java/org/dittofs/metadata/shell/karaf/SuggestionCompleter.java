package org.dittofs.metadata.shell.karaf;

import java.util.ArrayList;
import java.util.List;
import org.apache.karaf.shell.api.console.Candidate;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.api.console.Session;
import org.dittofs.metadata.shell.Suggestion;

/**
 * A completer offering {@link Suggestion}s that start with the word under the cursor, each with its
 * description. An open completer (owners, files, numbers) also accepts any other word typed, so
 * that Karaf, which checks every earlier argument against its completer, goes on completing the
 * next arguments after a new owner or file; a closed one (types, flavours, stores) offers only its
 * values. Completion reads; it never acts.
 */
abstract class SuggestionCompleter implements Completer {
  private final boolean open;

  SuggestionCompleter(boolean open) {
    this.open = open;
  }

  /** The values to offer for {@code line} (whose other arguments a completer may look at). */
  abstract List<Suggestion> suggestions(CommandLine line);

  @Override
  public void completeCandidates(Session session, CommandLine line, List<Candidate> candidates) {
    String typed = typed(line);
    boolean exact = false;
    for (Suggestion s : suggestions(line)) {
      if (s.value().startsWith(typed)) {
        candidates.add(
            new Candidate(s.value(), s.value(), null, s.description(), null, null, true));
        exact |= s.value().equals(typed);
      }
    }
    if (open && !typed.isEmpty() && !exact) {
      candidates.add(new Candidate(typed, typed, null, null, null, null, true));
    }
  }

  @Override
  public int complete(Session session, CommandLine line, List<String> candidates) {
    List<Candidate> found = new ArrayList<>();
    completeCandidates(session, line, found);
    found.forEach(c -> candidates.add(c.value() + " "));
    return found.isEmpty() ? -1 : line.getBufferPosition() - line.getArgumentPosition();
  }

  /** The part of the word under the cursor that is typed before the cursor. */
  static String typed(CommandLine line) {
    String word = line.getCursorArgument();
    if (word == null) {
      return "";
    }
    return word.substring(0, Math.max(0, Math.min(word.length(), line.getArgumentPosition())));
  }

  /** The arguments before the one under the cursor (the command name first). */
  static List<String> before(CommandLine line) {
    String[] args = line.getArguments();
    int cursor = Math.min(line.getCursorArgumentIndex(), args.length);
    return cursor <= 0 ? List.of() : List.of(args).subList(0, cursor);
  }
}
