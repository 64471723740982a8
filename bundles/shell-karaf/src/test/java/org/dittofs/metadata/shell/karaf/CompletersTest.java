package org.dittofs.metadata.shell.karaf;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import org.apache.karaf.shell.api.console.Candidate;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.support.completers.ArgumentCommandLine;
import org.apache.karaf.shell.support.parsing.CommandLineImpl;
import org.dittofs.metadata.host.MetadataManager;
import org.dittofs.metadata.host.MetadataServices;
import org.dittofs.metadata.shell.LockShell;
import org.dittofs.metadata.store.memory.MemoryMetadataStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class CompletersTest {
  private MetadataManager service;
  private LockShell shell;

  @BeforeEach
  void start() {
    service = MetadataServices.over(new MemoryMetadataStore()).start();
    shell = new LockShell(service);
    PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
    shell.acquire(quiet, "alice", "report.txt", "0", "10");
    shell.acquire(quiet, "alice", "notes.txt", "0", "10", "shared");
  }

  @AfterEach
  void stop() {
    shell.deactivate();
    service.close();
  }

  /** The line typed so far, the cursor at its end (after a space: on a new, empty word). */
  private static CommandLine line(String typed) {
    String[] words = typed.strip().split(" +");
    boolean newWord = typed.endsWith(" ");
    List<String> args = new ArrayList<>(List.of(words));
    if (newWord) {
      args.add("");
    }
    String last = args.get(args.size() - 1);
    return new CommandLineImpl(
        args.toArray(new String[0]), args.size() - 1, last.length(), typed.length(), typed);
  }

  private static List<String> values(Completer c, CommandLine line) {
    List<Candidate> found = new ArrayList<>();
    c.completeCandidates(null, line, found);
    return found.stream().map(Candidate::value).toList();
  }

  @Test
  void ownersAndFilesComeFromTheLockTableWithDescriptions() {
    OwnerCompleter owners = new OwnerCompleter();
    owners.shell = shell;
    List<Candidate> found = new ArrayList<>();
    owners.completeCandidates(null, line("lock:release "), found);
    assertThat(found)
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.value()).isEqualTo("alice");
              assertThat(c.descr()).isEqualTo("2 locks on 2 files");
            });
    LockFileCompleter files = new LockFileCompleter();
    files.shell = shell;
    assertThat(values(files, line("lock:release alice ")))
        .containsExactly("notes.txt", "report.txt");
    assertThat(values(files, line("lock:release alice r"))).containsExactly("report.txt", "r");
    assertThat(service.lockManager().lockCount()).isEqualTo(2);
  }

  /** Karaf checks each earlier word against its completer: a new owner or file must pass. */
  @Test
  void openCompletersAcceptNewWordsClosedOnesDoNot() {
    OwnerCompleter owners = new OwnerCompleter();
    owners.shell = shell;
    assertThat(values(owners, new ArgumentCommandLine("zed", 3))).containsExactly("zed");
    assertThat(values(new OffsetCompleter(), new ArgumentCommandLine("4096", 4)))
        .containsExactly("4096");
    assertThat(values(new LengthCompleter(), new ArgumentCommandLine("eof", 3)))
        .containsExactly("eof");
    assertThat(values(new FlavourCompleter(), new ArgumentCommandLine("sideways", 8))).isEmpty();
    assertThat(values(new ModifierCompleter(), new ArgumentCommandLine("shared", 6)))
        .containsExactly("shared");
  }

  @Test
  void modifiersOfferWhatIsNotGivenYet() {
    ModifierCompleter m = new ModifierCompleter();
    assertThat(values(m, line("lock:acquire a f 0 1 ")))
        .containsExactly("exclusive", "shared", "posix", "windows");
    assertThat(values(m, line("lock:acquire a f 0 1 shared "))).containsExactly("posix", "windows");
    assertThat(values(m, line("lock:acquire a f 0 1 windows s"))).containsExactly("shared");
    assertThat(values(m, line("lock:acquire a f 0 1 windows exclusive "))).isEmpty();
  }

  @Test
  void completingOwnersLeaveOutThoseAlreadyNamed() {
    CompletingOwnerCompleter c = new CompletingOwnerCompleter();
    c.shell = shell;
    assertThat(values(c, line("lock:complete "))).containsExactly("alice");
    assertThat(values(c, line("lock:complete alice "))).isEmpty();
  }
}
