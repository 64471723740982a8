package org.dittofs.metadata.shell;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.dittofs.metadata.host.MetadataManager;
import org.dittofs.metadata.host.MetadataServices;
import org.dittofs.metadata.store.memory.MemoryMetadataStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class LockCommandsTest {
  private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
  private PrintStream original;
  private MetadataManager service;
  private LockCommands lock;

  @BeforeEach
  void start() {
    original = System.out;
    System.setOut(new PrintStream(buffer, true, StandardCharsets.UTF_8));
    service = MetadataServices.over(new MemoryMetadataStore()).start();
    lock = new LockCommands(service);
  }

  @AfterEach
  void stop() {
    lock.deactivate();
    service.close();
    System.setOut(original);
  }

  private String output() {
    String s = buffer.toString(StandardCharsets.UTF_8);
    buffer.reset();
    return s;
  }

  @Test
  void grantsRefusesTestsAndReleases() {
    lock.acquire("alice", "report.txt", "0", "100");
    assertThat(output()).startsWith("GRANTED  alice report.txt [0, 99] EXCLUSIVE POSIX, id ");
    assertThat(service.share("demo")).isPresent();

    lock.acquire("bob", "report.txt", "50", "100", "shared");
    assertThat(output())
        .startsWith("REFUSED  bob report.txt [50, 149] SHARED POSIX: conflicts with EXCLUSIVE")
        .contains("'alice'");

    lock.test("bob", "report.txt", "100", "eof", "shared");
    assertThat(output()).contains("would be GRANTED");

    lock.release("alice", "report.txt", "40", "20");
    assertThat(output())
        .isEqualTo(
            "RELEASED alice report.txt [40, 59] POSIX; alice still holds EXCLUSIVE [0, 39],"
                + " EXCLUSIVE [60, 99]\n");

    lock.list();
    String list = output();
    assertThat(list).startsWith("report.txt: 2 locks\n").contains("[0, 39]").contains("[60, 99]");
  }

  @Test
  void windowsLocksStackAndReleaseByExactRange() {
    lock.acquire("carol", "budget.xls", "0", "10", "shared", "windows");
    lock.acquire("carol", "budget.xls", "0", "10", "shared", "windows");
    assertThat(output()).contains("GRANTED").doesNotContain("REFUSED");
    lock.release("carol", "budget.xls", "0", "5");
    assertThat(output())
        .startsWith("REFUSED  release carol budget.xls [0, 4] WINDOWS: LOCK_NOT_FOUND");
    lock.release("carol", "budget.xls", "0", "10");
    assertThat(output()).contains("still holds SHARED [0, 9]");
  }

  @Test
  void usageOnWrongArgumentsAndHelp() {
    lock.acquire("alice");
    assertThat(output()).startsWith("usage: " + LockCommands.ACQUIRE);
    lock.help();
    assertThat(output()).contains("lock:list").contains("lock:grace").contains("lock:stats");
  }

  @Test
  void clientsGraceAndStats() {
    lock.acquire("alice", "f", "0", "eof");
    lock.acquire("bob", "f", "0", "1");
    output();
    lock.clients();
    assertThat(output()).contains("shell:alice").contains("shell:bob");
    lock.grace();
    assertThat(output()).startsWith("grace period: not active");
    lock.stats();
    assertThat(output())
        .contains("now: 1 lock held, 2 clients, grace not active")
        .contains("dittofs_locks_granted_total")
        .doesNotContain("dittofs_locks_deadlocks_total");
    lock.stats("all");
    assertThat(output()).contains("dittofs_locks_deadlocks_total");
  }

  @Test
  void emptyTable() {
    lock.list();
    assertThat(output()).isEqualTo("no locks held\n");
  }
}
