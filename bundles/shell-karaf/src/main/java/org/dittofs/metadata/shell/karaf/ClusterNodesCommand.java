package org.dittofs.metadata.shell.karaf;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.dittofs.metadata.shell.LockShell;
import org.dittofs.metadata.shell.Usage;

/** {@code cluster:nodes}. */
@Service
@Command(scope = Usage.CLUSTER_SCOPE, name = "nodes", description = Usage.NODES_TEXT)
public final class ClusterNodesCommand implements Action {
  @Reference LockShell shell;

  @Override
  public Object execute() {
    shell.nodes(System.out);
    return null;
  }
}
