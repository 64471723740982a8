package org.dittofs.metadata.shell;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.function.BiConsumer;
import org.dittofs.metadata.host.MetadataManager;
import org.dittofs.metadata.host.MetadataServices;
import org.dittofs.metadata.lock.host.LockConfig;
import org.dittofs.metadata.store.memory.MemoryMetadataStore;
import org.junit.jupiter.api.Test;

class LockShellTest extends LockShellOnMemory {

  @Test
  void grantsRefusesTestsAndReleases() {
    lock.acquire(out, "alice", "report.txt", "0", "100");
    assertThat(output()).startsWith("GRANTED  alice report.txt [0, 99] EXCLUSIVE POSIX, id ");
    assertThat(service.share("demo")).isPresent();

    lock.acquire(out, "bob", "report.txt", "50", "100", "shared");
    assertThat(output())
        .startsWith("REFUSED  bob report.txt [50, 149] SHARED POSIX: conflicts with EXCLUSIVE")
        .contains("'alice'");

    lock.test(out, "bob", "report.txt", "100", "eof", "shared");
    assertThat(output()).contains("would be GRANTED");
    lock.test(out, "bob", "report.txt", "0", "1", "shared");
    assertThat(output()).contains("would be REFUSED, conflicts with EXCLUSIVE [0, 99]");

    lock.release(out, "alice", "report.txt", "40", "20");
    assertThat(output())
        .isEqualTo(
            "RELEASED alice report.txt [40, 59] POSIX; alice still holds EXCLUSIVE [0, 39],"
                + " EXCLUSIVE [60, 99]\n");

    lock.list(out);
    String list = output();
    assertThat(list).startsWith("report.txt: 2 locks\n").contains("[0, 39]").contains("[60, 99]");
    lock.list(out, "report.txt");
    assertThat(output()).isEqualTo(list);
    lock.list(out, "other.txt");
    assertThat(output()).isEqualTo("other.txt: 0 locks\n");
  }

  @Test
  void windowsLocksStackAndReleaseByExactRange() {
    lock.acquire(out, "carol", "budget.xls", "0", "10", "shared", "windows");
    lock.acquire(out, "carol", "budget.xls", "0", "10", "windows", "shared");
    assertThat(output()).contains("GRANTED").doesNotContain("REFUSED");
    lock.release(out, "carol", "budget.xls", "0", "5");
    assertThat(output())
        .startsWith("REFUSED  release carol budget.xls [0, 4] WINDOWS: LOCK_NOT_FOUND");
    lock.release(out, "carol", "budget.xls", "0", "10");
    assertThat(output()).contains("still holds SHARED [0, 9]");
    lock.acquire(out, "dave", "budget.xls", "20", "0", "windows");
    assertThat(output()).startsWith("GRANTED  dave budget.xls").contains("WINDOWS");
  }

  @Test
  void wrongArgumentsThrowTheUsageAndChangeNothing() {
    assertThatThrownBy(() -> lock.acquire(out, "alice"))
        .isInstanceOf(UsageException.class)
        .hasMessage("usage: " + Usage.ACQUIRE);
    assertThatThrownBy(() -> lock.acquire(out, "alice", "f", "-1", "1"))
        .hasMessageStartingWith("offset '-1' is not an unsigned 64-bit number")
        .hasMessageEndingWith("; usage: " + Usage.ACQUIRE);
    assertThatThrownBy(() -> lock.release(out, "alice", "f", "0", "1", "shared"))
        .hasMessageStartingWith("unknown option 'shared' (expected posix or windows)");
    assertThatThrownBy(() -> lock.list(out, "a", "b")).hasMessage("usage: " + Usage.LIST);
    assertThatThrownBy(() -> lock.list(out, "")).hasMessageStartingWith("file '': ");
    assertThatThrownBy(() -> lock.clients(out, "x")).hasMessage("usage: " + Usage.CLIENTS);
    assertThatThrownBy(() -> lock.grace(out, "x")).hasMessage("usage: " + Usage.GRACE);
    assertThatThrownBy(() -> lock.stats(out, "some")).hasMessage("usage: " + Usage.STATS);
    assertThatThrownBy(() -> lock.complete(out)).hasMessage("usage: " + Usage.COMPLETE);
    assertThatThrownBy(() -> lock.complete(out, "a", "")).hasMessageStartingWith("owner '': ");
    assertThat(output()).isEmpty();
    assertThat(service.lockManager().lockCount()).isZero();
    assertThat(service.lockManager().clients()).isEmpty();
    assertThat(service.shares()).isEmpty();
  }

  /** Every command with --help anywhere prints its usage and does nothing else. */
  @Test
  void helpAnywhereActsOnNothing() {
    lock.acquire(out, "alice", "f", "0", "10");
    output();
    List<BiConsumer<PrintStream, String[]>> commands =
        List.of(
            lock::list,
            lock::acquire,
            lock::release,
            lock::test,
            lock::reclaim,
            lock::complete,
            lock::clients,
            lock::grace,
            lock::stats);
    for (BiConsumer<PrintStream, String[]> c : commands) {
      c.accept(out, new String[] {"--help"});
      c.accept(out, new String[] {"alice", "f", "0", "10", "--help"});
      assertThat(output().split("\n"))
          .hasSize(4)
          .allMatch(line -> line.startsWith("usage: lock:") || line.startsWith("  "));
    }
    lock.list(out, "--help");
    assertThat(output()).isEqualTo("usage: " + Usage.LIST + "\n  " + Usage.LIST_TEXT + "\n");
    assertThat(service.lockManager().lockCount()).isEqualTo(1);
    assertThat(service.lockManager().clients())
        .extracting(c -> c.client().toString())
        .containsExactly("shell:alice");
    assertThat(service.lockManager().graceStatus().completedClients()).isEmpty();
  }

  @Test
  void clientsGraceAndStats() {
    lock.acquire(out, "alice", "f", "0", "eof");
    lock.acquire(out, "bob", "f", "0", "1");
    output();
    lock.clients(out);
    assertThat(output()).contains("shell:alice").contains("shell:bob");
    lock.grace(out);
    assertThat(output()).startsWith("grace period: not active");
    lock.stats(out);
    assertThat(output())
        .contains("now: 1 lock held, 2 clients, grace not active")
        .contains("dittofs_locks_granted_total")
        .doesNotContain("dittofs_locks_deadlocks_total");
    for (String all : List.of("all", "-a", "--all")) {
      lock.stats(out, all);
      assertThat(output()).contains("dittofs_locks_deadlocks_total");
    }
    lock.help(out);
    assertThat(output()).contains(Usage.LIST).contains(Usage.ACQUIRE).contains(Usage.STATS);
  }

  @Test
  void completeOutsideGraceSaysSo() {
    lock.complete(out, "alice", "bob");
    assertThat(output()).isEqualTo("COMPLETE shell:alice, shell:bob; grace period: not active\n");
  }

  @Test
  void reclaimAndCompleteDuringGraceAfterARestart() {
    MemoryMetadataStore store = new MemoryMetadataStore();
    LockConfig grace = LockConfig.builder().gracePeriod(Duration.ofMinutes(5)).build();
    MetadataManager first = MetadataServices.over(store).config(grace).start();
    LockShell s1 = new LockShell(first);
    s1.acquire(out, "alice", "f", "0", "10");
    s1.acquire(out, "bob", "g", "0", "10");
    s1.deactivate();
    output();
    // no close: an unclean stop, so the next start restores the records and enters grace
    MetadataManager second = MetadataServices.over(store).config(grace).start();
    LockShell s2 = new LockShell(second);
    try {
      s2.grace(out);
      assertThat(output()).startsWith("grace period: ACTIVE").contains("restored 2 records");
      s2.acquire(out, "carol", "h", "0", "1");
      assertThat(output()).startsWith("REFUSED  carol h [0, 0] EXCLUSIVE POSIX: GRACE_PERIOD");
      s2.reclaim(out, "alice", "f", "0", "10");
      assertThat(output()).startsWith("RECLAIMED alice f [0, 9] EXCLUSIVE POSIX, id ");
      s2.list(out, "f");
      assertThat(output()).doesNotContain("restored (epoch");
      s2.list(out, "g");
      assertThat(output()).contains("restored (epoch 1)");
      assertThat(s2.completions().completingOwners())
          .extracting(Suggestion::value)
          .startsWith("alice", "bob");
      s2.complete(out, "alice");
      assertThat(output())
          .isEqualTo("COMPLETE shell:alice; grace goes on: 1 of 2 expected clients complete\n");
      assertThat(s2.completions().completingOwners().get(0))
          .isEqualTo(new Suggestion("bob", "expected in grace, not declared complete"));
      s2.complete(out, "bob");
      assertThat(output()).contains("grace period: not active");
      assertThat(second.lockManager().graceStatus().active()).isFalse();
    } finally {
      s2.deactivate();
      second.close();
    }
  }

  @Test
  void completionsOfferOwnersFilesTypesAndFlavours() {
    lock.acquire(out, "alice", "report.txt", "0", "10");
    lock.acquire(out, "alice", "notes.txt", "0", "10");
    lock.acquire(out, "bob", "report.txt", "20", "10");
    lock.acquire(out, "carol", "report.txt", "5", "1"); // refused: carol has a client, no lock
    String before = output();
    assertThat(before).contains("REFUSED  carol");
    LockCompletions c = lock.completions();
    assertThat(c.owners())
        .containsExactly(
            new Suggestion("alice", "2 locks on 2 files"),
            new Suggestion("bob", "1 lock on report.txt"),
            new Suggestion("carol", "client shell:carol, no locks"));
    assertThat(c.files())
        .containsExactly(
            new Suggestion("notes.txt", "1 lock"), new Suggestion("report.txt", "2 locks"));
    assertThat(LockCompletions.TYPES).extracting(Suggestion::value).contains("shared", "exclusive");
    assertThat(LockCompletions.FLAVOURS).extracting(Suggestion::value).contains("posix", "windows");
    assertThat(service.lockManager().lockCount()).isEqualTo(3);
    assertThat(output()).isEmpty();
  }

  @Test
  void emptyTable() {
    lock.list(out);
    assertThat(output()).isEqualTo("no locks held\n");
  }
}
