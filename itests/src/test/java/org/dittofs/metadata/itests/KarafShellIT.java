package org.dittofs.metadata.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.features;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import javax.inject.Inject;
import org.apache.karaf.features.BootFinished;
import org.apache.karaf.features.FeaturesService;
import org.apache.karaf.shell.api.console.Candidate;
import org.apache.karaf.shell.api.console.Command;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.api.console.SessionFactory;
import org.apache.karaf.shell.support.completers.CommandsCompleter;
import org.apache.karaf.shell.support.parsing.CommandLineImpl;
import org.dittofs.metadata.host.MetadataManager;
import org.dittofs.metadata.host.StoreSelection;
import org.dittofs.metadata.lock.FileHandle;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/**
 * Karaf 4.4 with the memory and H2 store features: Karaf's shell feature is in the distribution, so
 * the core feature's conditional installs {@code dittofs-lock-shell}, and the commands are Karaf
 * commands. Through the Karaf session API (what the console and ssh use): {@code --help}, {@code
 * help <command>} and completion (the console session's completer) act on nothing; real commands
 * grant, list, swap and release; {@code store:swap} and {@code store:show} answer right when {@code
 * store.target} matches nothing or is malformed (issue 15).
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class KarafShellIT extends ItestSupport {
  private static final List<String> COMMANDS =
      List.of(
          "lock:list",
          "lock:acquire",
          "lock:release",
          "lock:test",
          "lock:reclaim",
          "lock:complete",
          "lock:clients",
          "lock:grace",
          "lock:stats",
          "lock:help",
          "store:show",
          "store:swap",
          "store:help");

  @Inject private BootFinished bootFinished;
  @Inject private FeaturesService features;
  @Inject private SessionFactory sessions;
  @Inject private MetadataManager service;

  @Configuration
  public Option[] config() {
    return karaf(
        features(featureRepository(), "dittofs-lock-store-memory", "dittofs-lock-store-h2"));
  }

  @Test
  public void karafCommandsHelpCompleteAndAct() throws Exception {
    assertNotNull(bootFinished);
    assertTrue(
        "the shell conditional installed dittofs-lock-shell",
        features.isInstalled(features.getFeature("dittofs-lock-shell")));
    awaitBound(service, "memory");
    awaitStore("h2");
    awaitCommands();

    // a real command, with its output
    assertStartsWith(
        "GRANTED  alice report.txt [0, 99] EXCLUSIVE POSIX, id ",
        run("lock:acquire alice report.txt 0 100"));
    assertStartsWith(
        "GRANTED  bob notes.txt [0, 9] SHARED WINDOWS, id ",
        run("lock:acquire bob notes.txt 0 10 shared windows"));
    String list = run("lock:list report.txt");
    assertStartsWith("report.txt: 1 lock\n", list);
    assertTrue(list, list.contains("alice") && list.contains("[0, 99]"));

    // --help and help <command> act on nothing
    Map<String, Object> before = state();
    for (String command : COMMANDS) {
      String help = run(command + " --help");
      assertTrue(
          command + " --help: " + help, help.contains("DESCRIPTION") && help.contains("SYNTAX"));
      String viaHelp = run("help " + command);
      assertTrue("help " + command + ": " + viaHelp, viaHelp.contains("DESCRIPTION"));
    }
    String withArgs =
        run("lock:complete alice --help")
            + run("lock:acquire carol f 0 1 --help")
            + run("lock:list --help");
    assertFalse(
        withArgs,
        withArgs.contains("COMPLETE shell")
            || withArgs.contains("GRANTED  ")
            || withArgs.contains("no locks held"));
    assertEquals("state after --help and help <command>", before, state());

    // completion acts on nothing and offers what the lock table and the registry hold
    assertCompletes("lock:acq", "lock:acquire", "Take a lock without waiting"); // the command
    assertCompletes("lock:acquire ", "alice", "1 lock on report.txt"); // owners, described
    assertCompletes("lock:acquire alice ", "report.txt", "1 lock"); // files
    assertCompletes("lock:acquire zed new.txt 0 10 ", "shared", "read lock");
    assertCompletes("lock:acquire zed new.txt 0 10 shared ", "windows", "SMB");
    assertCompletes("lock:release alice report.txt 0 100 ", "posix", "NLM");
    assertCompletes("lock:acquire zed new.txt 0 ", "eof", "end of file");
    assertCompletes("lock:complete ", "bob", "1 lock on notes.txt");
    assertCompletes("store:swap ", "h2", "ranking");
    assertCompletes("store:swap ", "memory", "ranking");
    assertEquals("state after completion", before, state());

    // store.target matching nothing while a store is in use: store:swap sets it (issue 15)
    configure(METADATA_PID, Map.of("store.target", "(store.type=postgres)"));
    awaitTarget("(store.type=postgres)");
    showing(
        "store in use: memory\n",
        "target in force: (store.type=postgres)\n",
        "waiting: no registered store matches the target in force; staying on memory");
    assertEquals(
        "TARGET   store.target=(store.type=memory) (was (store.type=postgres)); the service stays on memory, which it matches: no swap needed\n",
        run("store:swap memory"));
    await(
        "store.target (store.type=memory) configured",
        () -> "(store.type=memory)".equals(configured()));
    assertEquals(
        "(store.type=memory)", service.storeSelection().map(StoreSelection::target).orElseThrow());

    // a malformed store.target is refused and never shown as the target in force
    configure(METADATA_PID, Map.of("store.target", "(store.type=h2"));
    showing(
        "target in force: (store.type=memory)\n",
        "configured store.target: (store.type=h2 REFUSED, not a valid LDAP filter");
    assertEquals("memory", service.store().type());

    // a hot swap from the shell keeps the locks; then release
    String swap = run("store:swap h2");
    // the feature's instance, etc/org.dittofs.metadata.store.h2-main.cfg, is named main
    assertStartsWith("SWAPPED  memory -> h2/main in ", swap);
    assertTrue(swap, swap.contains("2 locks held, now persisted in h2"));
    assertEquals("h2", service.store().type());
    assertStartsWith(
        "RELEASED alice report.txt [0, 99] POSIX; alice holds nothing on report.txt",
        run("lock:release alice report.txt 0 100"));
    assertEquals(1, service.lockManager().lockCount());

    // a mistake fails the command with the usage and changes nothing
    try {
      run("lock:acquire alice report.txt x 1");
      fail("a bad offset must fail the command");
    } catch (Exception e) {
      assertTrue(
          e.getMessage(), e.getMessage().startsWith("offset 'x' is not an unsigned 64-bit number"));
    }
    assertEquals(1, service.lockManager().lockCount());
  }

  // ---- helpers

  /**
   * A console session, as the local console and ssh get one (a dumb terminal over the streams): it
   * has a terminal, which {@code help <command>} needs, and the console's completer.
   */
  private Session console(PrintStream out) {
    return sessions.create(new ByteArrayInputStream(new byte[0]), out, out, null, "UTF-8", null);
  }

  /** Runs one command line in a fresh console session; returns what it printed. */
  private String run(String line) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    try (Session s = console(out)) {
      s.execute(line);
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }

  /** Completes {@code typed} (cursor at its end) with the console session's completer. */
  private List<Candidate> complete(String typed) {
    List<String> words = new ArrayList<>(List.of(typed.strip().split(" +")));
    if (typed.endsWith(" ")) {
      words.add("");
    }
    String last = words.get(words.size() - 1);
    List<Candidate> found = new ArrayList<>();
    try (Session s =
        console(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8))) {
      CommandsCompleter completer = s.getRegistry().getService(CommandsCompleter.class);
      assertNotNull("the console session's completer", completer);
      completer.completeCandidates(
          s,
          new CommandLineImpl(
              words.toArray(new String[0]), words.size() - 1, last.length(), typed.length(), typed),
          found);
    }
    return found;
  }

  private void assertCompletes(String typed, String value, String inDescription) {
    List<Candidate> found = complete(typed);
    String all =
        found.stream()
            .map(c -> c.value() + " (" + c.descr() + ")")
            .collect(Collectors.joining(", "));
    assertTrue(
        "'" + typed + "' completes " + value + " described with '" + inDescription + "': " + all,
        found.stream()
            .anyMatch(
                c ->
                    c.value().equals(value)
                        && c.descr() != null
                        && c.descr().contains(inDescription)));
  }

  private Optional<Command> command(String name) {
    return sessions.getRegistry().getCommands().stream()
        .filter(c -> (c.getScope() + ":" + c.getName()).equals(name))
        .findFirst();
  }

  /** Karaf registers the commands once their services (the shell logic) are there. */
  private void awaitCommands() {
    await(
        "Karaf commands " + COMMANDS,
        () -> COMMANDS.stream().allMatch(c -> command(c).isPresent()));
  }

  private void awaitTarget(String target) {
    await(
        "store.target " + target + " in force",
        () -> service.storeSelection().map(StoreSelection::target).orElse("").equals(target));
  }

  private Object configured() {
    try {
      return configAdmin.getConfiguration(METADATA_PID, "?").getProperties().get("store.target");
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /**
   * Runs {@code store:show} until its answer has every one of {@code lines}; returns it. A change
   * of {@code store.target} reaches the service asynchronously, and Karaf's file install writes it
   * to {@code etc/} and may read a file it is still writing back into Config Admin for a moment
   * (the configuration is then briefly without {@code store.target}, which keeps the target in
   * force): the answer must get there, not be there on the first try.
   */
  private String showing(String... lines) throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (true) {
      String show = run("store:show");
      if (java.util.Arrays.stream(lines).allMatch(show::contains)) {
        return show;
      }
      if (System.nanoTime() > deadline) {
        fail("store:show without " + List.of(lines) + " after " + WAIT + ":\n" + show);
      }
      Thread.sleep(50);
    }
  }

  /** What a command could change: locks of the files used here, count, clients, grace, target. */
  private Map<String, Object> state() throws Exception {
    Map<String, Object> s = new LinkedHashMap<>();
    for (String f : List.of("report.txt", "notes.txt", "f", "new.txt", "--help")) {
      s.put(f, service.lockManager().locks(FileHandle.of(f)));
    }
    s.put("count", service.lockManager().lockCount());
    s.put(
        "clients",
        service.lockManager().clients().stream().map(c -> c.client().toString()).sorted().toList());
    s.put("grace", service.lockManager().graceStatus());
    s.put("shares", service.shares());
    s.put("target", configured());
    return s;
  }

  private static void assertStartsWith(String prefix, String actual) {
    assertTrue("expected to start with '" + prefix + "': " + actual, actual.startsWith(prefix));
  }
}
