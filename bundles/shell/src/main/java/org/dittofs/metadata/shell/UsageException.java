package org.dittofs.metadata.shell;

/**
 * The arguments of a command do not fit it: its message says what is wrong and ends with the
 * command's usage line. Thrown before the command has looked at or changed anything. The Gogo
 * commands print the message; the Karaf commands let it through, so Karaf reports the command as
 * failed (an ssh client sees a non-zero exit status).
 */
public final class UsageException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  UsageException(String problem, String usage) {
    super(problem == null ? "usage: " + usage : problem + "; usage: " + usage);
  }

  /** Only the usage line: a wrong number of arguments. */
  static UsageException usage(String usage) {
    return new UsageException(null, usage);
  }
}
