package org.dittofs.metadata.shell.karaf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.impl.action.command.DefaultActionPreparator;
import org.apache.karaf.shell.support.CommandException;
import org.dittofs.metadata.host.MetadataManager;
import org.dittofs.metadata.host.MetadataServices;
import org.dittofs.metadata.shell.LockShell;
import org.dittofs.metadata.shell.UsageException;
import org.dittofs.metadata.store.memory.MemoryMetadataStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The lock actions as Karaf runs them: Karaf's own argument preparation (the class its shell uses)
 * fills the annotated fields from the words typed, or prints the usage for {@code --help} and does
 * not run the action; then the action runs over a real lock manager.
 */
class KarafCommandsTest {
  static final List<Class<? extends Action>> ACTIONS =
      List.of(
          LockListCommand.class,
          LockAcquireCommand.class,
          LockReleaseCommand.class,
          LockTestCommand.class,
          LockReclaimCommand.class,
          LockCompleteCommand.class,
          LockClientsCommand.class,
          LockGraceCommand.class,
          LockStatsCommand.class,
          LockHelpCommand.class,
          StoreShowCommand.class,
          StoreSwapCommand.class,
          StoreHelpCommand.class);

  private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
  private final Session session =
      (Session)
          Proxy.newProxyInstance(
              Session.class.getClassLoader(), new Class<?>[] {Session.class}, (p, m, a) -> null);
  private PrintStream original;
  private MetadataManager service;
  private LockShell shell;

  @BeforeEach
  void start() {
    original = System.out;
    System.setOut(new PrintStream(buffer, true, StandardCharsets.UTF_8));
    service = MetadataServices.over(new MemoryMetadataStore()).start();
    shell = new LockShell(service);
  }

  @AfterEach
  void stop() {
    System.setOut(original);
    shell.deactivate();
    service.close();
  }

  private String output() {
    String s = buffer.toString(StandardCharsets.UTF_8);
    buffer.reset();
    return s;
  }

  /** Prepares {@code action} from {@code words} as Karaf does and runs it if Karaf would. */
  private boolean run(Action action, String... words) throws Exception {
    if (action instanceof RangeAction r) {
      r.shell = shell;
    }
    for (var f : action.getClass().getDeclaredFields()) {
      if (f.getType() == LockShell.class) {
        f.setAccessible(true);
        f.set(action, shell);
      }
    }
    boolean runs =
        new DefaultActionPreparator()
            .prepare(action, session, new ArrayList<>(List.of((Object[]) words)));
    if (runs) {
      action.execute();
    }
    return runs;
  }

  @Test
  void everyActionIsAKarafServiceWithACommandInItsScope() throws Exception {
    List<String> names = new ArrayList<>();
    for (Class<? extends Action> c : ACTIONS) {
      assertThat(c.getAnnotation(Service.class)).as(c.getName()).isNotNull();
      Command cmd = c.getAnnotation(Command.class);
      assertThat(cmd.scope()).isIn("lock", "store");
      assertThat(cmd.description()).isNotBlank();
      names.add(cmd.scope() + ":" + cmd.name());
      // Karaf refuses gaps and duplicates in argument indexes when it prepares an action
      assertThat(run(c.getConstructor().newInstance(), "--help")).isFalse();
      assertThat(output()).contains("DESCRIPTION").contains(cmd.name()).contains("SYNTAX");
    }
    assertThat(names).doesNotHaveDuplicates().hasSize(13);
  }

  @Test
  void helpAnywhereNeverRunsTheAction() throws Exception {
    assertThat(run(new LockAcquireCommand(), "alice", "f", "0", "10", "--help")).isFalse();
    assertThat(run(new LockCompleteCommand(), "--help")).isFalse();
    assertThat(run(new LockListCommand(), "--help")).isFalse();
    assertThat(output()).doesNotContain("GRANTED  ", "COMPLETE shell", "no locks held");
    assertThat(service.lockManager().lockCount()).isZero();
    assertThat(service.lockManager().clients()).isEmpty();
  }

  @Test
  void acquireListReleaseWithKarafParsing() throws Exception {
    assertThat(
            run(new LockAcquireCommand(), "alice", "report.txt", "0", "100", "shared", "windows"))
        .isTrue();
    assertThat(output()).startsWith("GRANTED  alice report.txt [0, 99] SHARED WINDOWS, id ");
    run(new LockAcquireCommand(), "bob", "report.txt", "50", "eof");
    assertThat(output())
        .startsWith("REFUSED  bob report.txt [50, EOF] EXCLUSIVE POSIX: conflicts with");
    run(new LockListCommand());
    assertThat(output()).startsWith("report.txt: 1 lock\n");
    run(new LockReleaseCommand(), "alice", "report.txt", "0", "100", "windows");
    assertThat(output())
        .isEqualTo(
            "RELEASED alice report.txt [0, 99] WINDOWS; alice holds nothing on report.txt\n");
    run(new LockStatsCommand(), "-a");
    assertThat(output()).contains("dittofs_locks_deadlocks_total");
    run(new LockCompleteCommand(), "alice", "bob");
    assertThat(output()).isEqualTo("COMPLETE shell:alice, shell:bob; grace period: not active\n");
  }

  @Test
  void mistakesFailTheCommandAndChangeNothing() throws Exception {
    assertThatThrownBy(() -> run(new LockAcquireCommand(), "alice", "f", "0"))
        .isInstanceOf(CommandException.class)
        .hasMessage("Argument length is required");
    assertThatThrownBy(() -> run(new LockAcquireCommand(), "alice", "f", "x", "1"))
        .isInstanceOf(UsageException.class)
        .hasMessageStartingWith("offset 'x' is not an unsigned 64-bit number");
    assertThatThrownBy(() -> run(new LockReleaseCommand(), "alice", "f", "0", "1", "shared"))
        .isInstanceOf(UsageException.class)
        .hasMessageStartingWith("unknown option 'shared' (expected posix or windows)");
    assertThatThrownBy(() -> run(new LockStatsCommand(), "--nosuch"))
        .isInstanceOf(CommandException.class)
        .hasMessage("Undefined option: --nosuch");
    assertThat(output()).isEmpty();
    assertThat(service.lockManager().lockCount()).isZero();
    assertThat(service.shares()).isEmpty();
  }
}
