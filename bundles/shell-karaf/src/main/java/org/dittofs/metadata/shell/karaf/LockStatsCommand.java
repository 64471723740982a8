package org.dittofs.metadata.shell.karaf;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.dittofs.metadata.shell.LockShell;
import org.dittofs.metadata.shell.Usage;

/** {@value Usage#STATS}. */
@Service
@Command(scope = Usage.LOCK_SCOPE, name = "stats", description = Usage.STATS_TEXT)
public final class LockStatsCommand implements Action {
  @Reference LockShell shell;

  @Option(name = "--all", aliases = "-a", description = Usage.ALL_TEXT)
  boolean all;

  @Override
  public Object execute() {
    shell.stats(System.out, all ? new String[] {"--all"} : new String[0]);
    return null;
  }
}
