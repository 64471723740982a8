package org.dittofs.metadata.shell.gogo;

import java.io.PrintStream;
import java.util.function.Consumer;
import org.dittofs.metadata.shell.UsageException;

/** How the Gogo functions run a command: on the session's output, usage errors printed. */
final class Gogo {
  private Gogo() {}

  /**
   * Runs {@code command} on {@code System.out}, which Gogo directs to the session's output; a usage
   * error is printed, not thrown, so a script goes on.
   */
  static void run(Consumer<PrintStream> command) {
    PrintStream out = System.out;
    try {
      command.accept(out);
    } catch (UsageException e) {
      out.println(e.getMessage());
    }
  }
}
