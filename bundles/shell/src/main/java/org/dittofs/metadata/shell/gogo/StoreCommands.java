package org.dittofs.metadata.shell.gogo;

import org.apache.felix.service.command.Descriptor;
import org.dittofs.metadata.shell.StoreShell;
import org.dittofs.metadata.shell.Usage;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The {@code store:*} commands as Gogo functions (the runnable's shell), over {@link StoreShell}.
 */
@Component(
    service = Object.class,
    immediate = true,
    property = {
      "osgi.command.scope=" + Usage.STORE_SCOPE,
      "osgi.command.function=show",
      "osgi.command.function=swap",
      "osgi.command.function=help"
    })
public final class StoreCommands {
  private final StoreShell shell;

  @Activate
  public StoreCommands(@Reference StoreShell shell) {
    this.shell = shell;
  }

  @Descriptor(Usage.SHOW_TEXT)
  public void show(String... args) {
    Gogo.run(out -> shell.show(out, args));
  }

  @Descriptor(Usage.SWAP_TEXT)
  public void swap(@Descriptor("<type> [name]") String... args) {
    Gogo.run(out -> shell.swap(out, args));
  }

  @Descriptor(Usage.STORE_HELP_TEXT)
  public void help(String... ignored) {
    Gogo.run(shell::help);
  }
}
