package org.dittofs.metadata.shell.gogo;

import org.apache.felix.service.command.Descriptor;
import org.dittofs.metadata.shell.LockShell;
import org.dittofs.metadata.shell.Usage;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The {@code lock:*} commands as Gogo functions (the runnable's shell). Every function takes the
 * words as typed and hands them to {@link LockShell}: {@code --help} prints the command's usage and
 * does nothing else, arguments that do not fit print the usage (a script goes on).
 */
@Component(
    service = Object.class,
    immediate = true,
    property = {
      "osgi.command.scope=" + Usage.LOCK_SCOPE,
      "osgi.command.function=list",
      "osgi.command.function=acquire",
      "osgi.command.function=release",
      "osgi.command.function=test",
      "osgi.command.function=reclaim",
      "osgi.command.function=complete",
      "osgi.command.function=clients",
      "osgi.command.function=grace",
      "osgi.command.function=stats",
      "osgi.command.function=help"
    })
public final class LockCommands {
  private final LockShell shell;

  @Activate
  public LockCommands(@Reference LockShell shell) {
    this.shell = shell;
  }

  @Descriptor(Usage.LIST_TEXT)
  public void list(@Descriptor("[file]") String... args) {
    Gogo.run(out -> shell.list(out, args));
  }

  @Descriptor(Usage.ACQUIRE_TEXT)
  public void acquire(
      @Descriptor("<owner> <file> <offset> <length|eof> [shared|exclusive] [posix|windows]")
          String... args) {
    Gogo.run(out -> shell.acquire(out, args));
  }

  @Descriptor(Usage.RELEASE_TEXT)
  public void release(
      @Descriptor("<owner> <file> <offset> <length|eof> [posix|windows]") String... args) {
    Gogo.run(out -> shell.release(out, args));
  }

  @Descriptor(Usage.TEST_TEXT)
  public void test(
      @Descriptor("<owner> <file> <offset> <length|eof> [shared|exclusive] [posix|windows]")
          String... args) {
    Gogo.run(out -> shell.test(out, args));
  }

  @Descriptor(Usage.RECLAIM_TEXT)
  public void reclaim(
      @Descriptor("<owner> <file> <offset> <length|eof> [shared|exclusive] [posix|windows]")
          String... args) {
    Gogo.run(out -> shell.reclaim(out, args));
  }

  @Descriptor(Usage.COMPLETE_TEXT)
  public void complete(@Descriptor("<owner>...") String... owners) {
    Gogo.run(out -> shell.complete(out, owners));
  }

  @Descriptor(Usage.CLIENTS_TEXT)
  public void clients(String... args) {
    Gogo.run(out -> shell.clients(out, args));
  }

  @Descriptor(Usage.GRACE_TEXT)
  public void grace(String... args) {
    Gogo.run(out -> shell.grace(out, args));
  }

  @Descriptor(Usage.STATS_TEXT)
  public void stats(@Descriptor("[-a|--all]") String... args) {
    Gogo.run(out -> shell.stats(out, args));
  }

  @Descriptor(Usage.LOCK_HELP_TEXT)
  public void help(String... ignored) {
    Gogo.run(shell::help);
  }
}
