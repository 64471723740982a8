package org.dittofs.metadata.shell.karaf;

import java.util.List;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.dittofs.metadata.shell.Usage;

/** {@value Usage#RELEASE}. */
@Service
@Command(scope = Usage.LOCK_SCOPE, name = "release", description = Usage.RELEASE_TEXT)
public final class LockReleaseCommand extends RangeAction {
  @Argument(index = 4, name = "flavour", description = Usage.FLAVOUR_TEXT)
  @Completion(FlavourCompleter.class)
  String flavour;

  @Override
  public Object execute() {
    shell.release(System.out, words(flavour == null ? List.of() : List.of(flavour)));
    return null;
  }
}
