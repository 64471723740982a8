package org.dittofs.metadata.shell.karaf;

import java.util.List;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Completion;
import org.dittofs.metadata.shell.Usage;

/** A byte-range command that takes a lock type and a flavour after the range, in any order. */
abstract class TypedRangeAction extends RangeAction {
  @Argument(
      index = 4,
      name = "type and flavour",
      description = Usage.MODIFIERS_TEXT,
      multiValued = true)
  @Completion(ModifierCompleter.class)
  List<String> modifiers;

  String[] words() {
    return words(modifiers);
  }
}
