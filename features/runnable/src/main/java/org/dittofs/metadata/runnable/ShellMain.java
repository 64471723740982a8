package org.dittofs.metadata.runnable;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Converter;
import org.dittofs.metadata.host.MetadataManager;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The main thread of the runnable. The bnd launcher calls a {@code Callable} registered with {@code
 * main.thread=true} on its main thread and exits with the returned code after stopping the
 * framework cleanly, so every mode ends with a clean shutdown of the lock manager (its store keeps
 * the clean-shutdown marker) and a meaningful exit code:
 *
 * <ul>
 *   <li>no argument: the interactive Gogo shell; Ctrl-D (end of input) stops the runnable, exit 0;
 *   <li>{@code demo}: the bundled demo script, exit 0;
 *   <li>a file name: that script, exit 0, or 1 if a command failed.
 * </ul>
 *
 * <p>Scripts run one line at a time, as if typed at the prompt: each command line is echoed with
 * the prompt before its output; {@code #} comments and blank lines are skipped; {@code echo} lines
 * print their text only. Before anything runs, the shell waits until the metadata service has a
 * store and the lock and store commands are registered.
 */
@Component(service = Callable.class, property = "main.thread=true")
public final class ShellMain implements Callable<Integer> {
  static final String PROMPT = "g! ";
  private static final long READY_TIMEOUT_MILLIS = 60_000;

  private final CommandProcessor processor;
  private final MetadataManager metadata;
  private final BundleContext context;

  @Activate
  public ShellMain(
      @Reference CommandProcessor processor,
      @Reference MetadataManager metadata,
      BundleContext context) {
    this.processor = processor;
    this.metadata = metadata;
    this.context = context;
  }

  @Override
  public Integer call() throws Exception {
    List<String> args = arguments();
    PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true);
    PrintStream err = new PrintStream(new FileOutputStream(FileDescriptor.err), true);
    if (args.size() > 1 || args.contains("-h") || args.contains("--help")) {
      out.println(
          "usage: java -jar dittofs-lock.jar [demo | <script.gosh>]\n"
              + "  no argument: interactive shell (lock:help, store:help; Ctrl-D to stop)\n"
              + "  demo:        the scripted demo of the lock table, then stop\n"
              + "  a file:      run its commands, one per line, then stop");
      return args.size() > 1 ? 2 : 0;
    }
    if (!awaitReady(err)) {
      return 1;
    }
    try (CommandSession session =
        processor.createSession(new FileInputStream(FileDescriptor.in), out, err)) {
      if (args.isEmpty()) {
        out.println(
            "DittoFS Lock shell: lock:help and store:help list the commands; Ctrl-D stops the"
                + " server cleanly.");
        session.execute("gosh --login --noshutdown --quiet");
        return 0;
      }
      String name = args.get(0);
      String script;
      if (name.equals("demo")) {
        script = resource("demo.gosh");
      } else {
        script = Files.readString(Path.of(name), StandardCharsets.UTF_8);
      }
      return runLines(session, script, out, err) ? 0 : 1;
    }
  }

  /** Runs a script line by line; false if a command failed. */
  static boolean runLines(CommandSession session, String script, PrintStream out, PrintStream err) {
    boolean ok = true;
    for (String raw : script.split("\\R")) {
      String line = raw.strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      if (!line.startsWith("echo")) {
        out.println(PROMPT + line);
      }
      try {
        Object result = session.execute(line);
        if (result != null) {
          out.println(session.format(result, Converter.INSPECT));
        }
      } catch (Exception e) {
        ok = false;
        err.println("command failed: " + line + ": " + e);
      }
    }
    return ok;
  }

  private List<String> arguments() throws InvalidSyntaxException {
    // the bnd launcher registers itself with the command line as launcher.arguments
    ServiceReference<?>[] refs =
        context.getServiceReferences((String) null, "(launcher.arguments=*)");
    if (refs != null && refs[0].getProperty("launcher.arguments") instanceof String[] a) {
      return List.of(a);
    }
    return List.of();
  }

  /** Waits until a store is bound and the commands are registered. */
  private boolean awaitReady(PrintStream err) throws InterruptedException, InvalidSyntaxException {
    long deadline = System.currentTimeMillis() + READY_TIMEOUT_MILLIS;
    while (System.currentTimeMillis() < deadline) {
      if (metadata.store() != null
          && registered("(osgi.command.scope=lock)")
          && registered("(osgi.command.scope=store)")
          && registered("(osgi.command.function=gosh)")
          && registered("(osgi.command.function=echo)")) {
        return true;
      }
      Thread.sleep(20);
    }
    err.println(
        "the metadata service has no store or the shell commands are missing after "
            + READY_TIMEOUT_MILLIS / 1000
            + " s; stopping (see the log above)");
    return false;
  }

  private boolean registered(String filter) throws InvalidSyntaxException {
    ServiceReference<?>[] refs = context.getServiceReferences((String) null, filter);
    return refs != null && refs.length > 0;
  }

  private String resource(String path) throws IOException {
    var url = context.getBundle().getEntry(path);
    if (url == null) {
      throw new IOException("the runnable bundle has no " + path);
    }
    try (InputStream in = url.openStream()) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
