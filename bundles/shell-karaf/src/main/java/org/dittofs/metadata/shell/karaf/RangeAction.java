package org.dittofs.metadata.shell.karaf;

import java.util.ArrayList;
import java.util.List;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.dittofs.metadata.shell.LockShell;
import org.dittofs.metadata.shell.Usage;

/**
 * The arguments every byte-range command starts with: {@code <owner> <file> <offset> <length|eof>}.
 * Numbers stay text here: the shared logic parses them (unsigned 64-bit, {@code eof}) and says what
 * is wrong in its own words.
 */
abstract class RangeAction implements Action {
  @Reference LockShell shell;

  @Argument(index = 0, name = "owner", description = Usage.OWNER_TEXT, required = true)
  @Completion(OwnerCompleter.class)
  String owner;

  @Argument(index = 1, name = "file", description = Usage.FILE_TEXT, required = true)
  @Completion(LockFileCompleter.class)
  String file;

  @Argument(index = 2, name = "offset", description = Usage.OFFSET_TEXT, required = true)
  @Completion(OffsetCompleter.class)
  String offset;

  @Argument(index = 3, name = "length", description = Usage.LENGTH_TEXT, required = true)
  @Completion(LengthCompleter.class)
  String length;

  /** The words as typed: the range, then {@code more} (modifiers), nulls left out. */
  String[] words(List<String> more) {
    List<String> words = new ArrayList<>(List.of(owner, file, offset, length));
    if (more != null) {
      words.addAll(more);
    }
    return words.toArray(new String[0]);
  }
}
