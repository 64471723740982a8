package org.dittofs.metadata.shell.gogo;

import org.apache.felix.service.command.Descriptor;
import org.dittofs.metadata.shell.LockShell;
import org.dittofs.metadata.shell.Usage;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** The {@code cluster:*} commands as Gogo functions (the runnable's shell). */
@Component(
    service = Object.class,
    immediate = true,
    property = {"osgi.command.scope=" + Usage.CLUSTER_SCOPE, "osgi.command.function=nodes"})
public final class ClusterCommands {
  private final LockShell shell;

  @Activate
  public ClusterCommands(@Reference LockShell shell) {
    this.shell = shell;
  }

  @Descriptor(Usage.NODES_TEXT)
  public void nodes(String... args) {
    Gogo.run(out -> shell.nodes(out, args));
  }
}
