package org.dittofs.metadata.itests;

import static org.dittofs.metadata.itests.Locks.grant;
import static org.dittofs.metadata.itests.Locks.liveLocks;
import static org.dittofs.metadata.itests.Locks.posix;
import static org.dittofs.metadata.itests.Locks.storedLocks;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotSame;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.inject.Inject;
import org.dittofs.metadata.FileRecord;
import org.dittofs.metadata.FileType;
import org.dittofs.metadata.Share;
import org.dittofs.metadata.host.MetadataManager;
import org.dittofs.metadata.lock.ByteRange;
import org.dittofs.metadata.lock.FileHandle;
import org.dittofs.metadata.lock.Lock;
import org.dittofs.metadata.lock.LockClient;
import org.dittofs.metadata.lock.LockOwner;
import org.dittofs.metadata.lock.LockType;
import org.dittofs.metadata.lock.LockingMode;
import org.dittofs.metadata.spi.MetadataStore;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerMethod;

/**
 * Native Felix, one container per test: bad configuration through Config Admin, while locks are
 * held, is one log line naming the PID, the field and the reason, and the service keeps serving
 * with what it had; a good change of a store's database moves the live state into it.
 *
 * <ul>
 *   <li>{@code store.target} of the metadata service set to a filter that matches no store, then to
 *       a malformed one: still on the same store, locks held, new grants succeed.
 *   <li>The H2 store given an unusable directory, the PostgreSQL store a malformed URL and an
 *       unreachable server: the store in service stays registered and serving.
 *   <li>The H2 store given a new, valid directory: the new database is opened and registered before
 *       the old one goes, and the metadata service hot-swaps locks, shares and files into it.
 * </ul>
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerMethod.class)
public class BadConfigurationIT extends ItestSupport {
  private static final FileHandle FILE = FileHandle.of("bad-config-file");
  private static final LockOwner OWNER = LockOwner.of("nlm:bad-config-host:1:oh");
  private static final LockClient CLIENT = new LockClient("bad-config-host", "nlm");

  @Inject private MetadataManager service;

  private int grants;

  @Configuration
  public Option[] config() {
    return felix(core(), memoryStore(), h2Store(), postgresStore("bad_configuration"));
  }

  @Test
  public void aTargetThatMatchesNothingOrIsMalformedKeepsTheServiceOnItsStore() {
    awaitBound(service, "memory");
    MetadataStore memory = service.store();
    Lock held = grant(service, lock(0, 100));

    try (SwapLog log = SwapLog.attach()) {
      configure(METADATA_PID, Map.of("store.target", "(store.type=nosuch)"));
      List<String> lines = awaitProblems(log, 1);
      System.out.println("[itests] unmatched target: " + lines);
      assertOneLine(lines.get(0), METADATA_PID, "store.target", "(store.type=nosuch)");
      assertTrue(lines.get(0), lines.get(0).contains("staying on memory"));
      assertServing(memory, held);

      configure(METADATA_PID, Map.of("store.target", "(store.type=h2"));
      lines = awaitProblems(log, 2);
      System.out.println("[itests] malformed target: " + lines.get(1));
      assertOneLine(lines.get(1), METADATA_PID, "store.target", "not a valid LDAP filter");
      assertServing(memory, held);
      assertEquals("no swap", List.of(), log.swaps());
    }
  }

  @Test
  public void anUnusableH2DirectoryOrABadPostgresUrlKeepsTheStoreInService() throws IOException {
    Path dir = freshDirectory("bad-config-h2");
    MetadataStore h2 = configureH2(dir);
    target("h2");
    awaitBound(service, "h2");
    assertSame(h2, service.store());
    Lock held = grant(service, lock(0, 100));

    Path file = Files.writeString(dir.resolve("not-a-directory"), "x");
    try (SwapLog log = SwapLog.attach()) {
      configure(H2_PID, Map.of("directory", file.resolve("db").toString()));
      List<String> lines = awaitProblems(log, 1);
      System.out.println("[itests] unusable H2 directory: " + lines);
      assertOneLine(lines.get(0), H2_PID, "directory", "not-a-directory");
      assertTrue(lines.get(0), lines.get(0).contains("stays in service"));
      assertServing(h2, held);
      awaitWritesLanded(service);
      assertEquals(
          "the H2 store still receives the writes",
          liveLocks(service, List.of(FILE)),
          storedLocks(h2));
      assertEquals("no swap", List.of(), log.swaps());
    }

    MetadataStore postgres = configurePostgres();
    target("postgres");
    awaitBound(service, "postgres");
    assertSame(postgres, service.store());
    try (SwapLog log = SwapLog.attach()) {
      configure(POSTGRES_PID, Map.of("url", "jdbc:postgresql//missing-colon/x"));
      List<String> lines = awaitProblems(log, 1);
      assertOneLine(lines.get(0), POSTGRES_PID, "url", "jdbc:postgresql//missing-colon/x");
      int closedPort;
      try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
        closedPort = s.getLocalPort();
      }
      configure(
          POSTGRES_PID,
          Map.of(
              "url",
              "jdbc:postgresql://127.0.0.1:" + closedPort + "/x?connectTimeout=2",
              ".password",
              "wrong-secret"));
      lines = awaitProblems(log, 2);
      System.out.println("[itests] bad PostgreSQL configurations: " + lines);
      assertOneLine(lines.get(1), POSTGRES_PID, "url", "127.0.0.1:" + closedPort);
      assertTrue("no password logged", lines.stream().noneMatch(l -> l.contains("secret")));
      Lock again = grant(service, lock(1000, 10));
      awaitWritesLanded(service);
      assertSame(postgres, service.store());
      assertTrue(
          "the PostgreSQL store still receives the writes",
          storedLocks(postgres).containsKey(again.id().toString()));
      assertEquals("no swap", List.of(), log.swaps());
    }
  }

  @Test
  public void aNewH2DirectoryReceivesTheLiveStateThroughAHotSwap() {
    MetadataStore first = configureH2(freshDirectory("bad-config-first"));
    target("h2");
    awaitBound(service, "h2");
    service.putShare(new Share(SHARE, LockingMode.ADVISORY));
    service.putFile(new FileRecord(FILE, SHARE, "bad-config-file", null, FileType.FILE, 7));
    grant(service, lock(0, 100));
    grant(service, lock(200, 50));
    awaitWritesLanded(service);
    Map<String, ByteRange> live = liveLocks(service, List.of(FILE));

    Path second = freshDirectory("bad-config-second");
    try (SwapLog log = SwapLog.attach()) {
      configure(H2_PID, Map.of("directory", second.toString()));
      await(
          "the service on the store in the new directory",
          () -> service.store() != null && service.store() != first);
      awaitWritesLanded(service);
      MetadataStore moved = service.store();
      assertNotSame(first, moved);
      assertEquals("h2", moved.type());

      List<SwapLog.Swap> swaps = log.awaitSwaps(1);
      System.out.println("[itests] H2 directory change: " + swaps);
      assertEquals(
          "one hot swap, never through no store",
          List.of("h2 -> h2"),
          swaps.stream().map(s -> s.from() + " -> " + s.to()).toList());
      assertEquals("the live locks are in the new database", live, storedLocks(moved));
      moved.inTransaction(
          tx -> {
            assertTrue("share copied", tx.getShare(SHARE).isPresent());
            assertEquals(
                "file copied from the old database",
                7L,
                tx.getFile(FILE).map(FileRecord::size).orElse(-1L).longValue());
            return null;
          });
      assertTrue(
          "the new database is in the new directory",
          Files.exists(second.resolve("dittofs.mv.db")));
      Lock after = grant(service, lock(500, 10));
      awaitWritesLanded(service);
      assertTrue("grants land in it", storedLocks(moved).containsKey(after.id().toString()));
      assertEquals("warnings or errors logged", List.of(), log.problems());
    }
  }

  private void assertServing(MetadataStore expected, Lock held) {
    assertSame("still on the same store", expected, service.store());
    assertTrue(
        "the lock held before is still held",
        liveLocks(service, List.of(FILE)).containsKey(held.id().toString()));
    Lock fresh = grant(service, lock(5000 + 10L * grants++, 5));
    awaitWritesLanded(service);
    assertTrue("a new grant is stored", storedLocks(expected).containsKey(fresh.id().toString()));
  }

  private static void assertOneLine(String line, String pid, String field, String reason) {
    assertTrue(line, line.contains(pid));
    assertTrue(line, line.contains(field));
    assertTrue(line, line.contains(reason));
    assertTrue(line, !line.contains("\n"));
  }

  /** Waits until {@code n} warnings or errors were logged; returns them (exactly n: no more). */
  private static List<String> awaitProblems(SwapLog log, int n) {
    await(n + " problem lines logged, have " + log.problems(), () -> log.problems().size() >= n);
    List<String> lines = log.problems();
    assertEquals("one line per bad configuration: " + lines, n, lines.size());
    return lines;
  }

  private static org.dittofs.metadata.lock.LockRequest lock(long offset, long length) {
    return posix(FILE, OWNER, CLIENT, LockType.EXCLUSIVE, ByteRange.span(offset, length));
  }
}
