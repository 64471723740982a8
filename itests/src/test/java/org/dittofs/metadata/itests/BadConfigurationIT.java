package org.dittofs.metadata.itests;

import static org.dittofs.metadata.itests.Locks.expectError;
import static org.dittofs.metadata.itests.Locks.grant;
import static org.dittofs.metadata.itests.Locks.liveLocks;
import static org.dittofs.metadata.itests.Locks.posix;
import static org.dittofs.metadata.itests.Locks.storedLocks;
import static org.junit.Assert.assertEquals;
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
import org.dittofs.metadata.errors.ErrorCode;
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
 * with what it had; a corrected value applies without restarting anything.
 *
 * <ul>
 *   <li>{@code store.target} of the metadata service set to a filter that matches no store, then to
 *       a malformed one: still on the same store, locks held, new grants succeed.
 *   <li>Another directory for an open H2 store instance, a malformed URL and an unreachable server
 *       for an open PostgreSQL one: the store in service stays registered and serving.
 *   <li>Another database the DS way: a second H2 instance, a target naming it (one hot swap), then
 *       the first instance deleted.
 *   <li>Malformed limit and fairness values (a string where a number is expected), then corrected:
 *       one line each, the previous values in force, the correction applied, the same component.
 *   <li>A PostgreSQL instance whose server cannot be reached at first: registered but unavailable,
 *       the service stays on memory (one line each), and the corrected URL brings it up and the
 *       service onto it, with no restart.
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
  public void anotherDatabaseForAnOpenStoreOrABadPostgresUrlKeepsTheStoreInService()
      throws IOException {
    Path dir = freshDirectory("bad-config-h2");
    MetadataStore h2 = configureH2(dir);
    target("h2");
    awaitBound(service, "h2");
    assertSame(h2, service.store());
    Lock held = grant(service, lock(0, 100));

    Path file = Files.writeString(dir.resolve("not-a-directory"), "x");
    try (SwapLog log = SwapLog.attach()) {
      configureInstance(H2_PID, STORE_NAME, Map.of("directory", file.resolve("db").toString()));
      List<String> lines = awaitProblems(log, 1);
      System.out.println("[itests] another H2 directory for an open store: " + lines);
      assertOneLine(lines.get(0), H2_PID + "~" + STORE_NAME, "not-a-directory", "stays in service");
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
      configureInstance(
          POSTGRES_PID, STORE_NAME, Map.of("url", "jdbc:postgresql//missing-colon/x"));
      List<String> lines = awaitProblems(log, 1);
      assertOneLine(lines.get(0), POSTGRES_PID, "'url'", "jdbc:postgresql//missing-colon/x");
      int closedPort = closedPort();
      configureUnreachablePostgres(closedPort, "wrong-secret");
      lines = awaitProblems(log, 2);
      System.out.println("[itests] bad PostgreSQL configurations: " + lines);
      assertOneLine(lines.get(1), POSTGRES_PID, "127.0.0.1:" + closedPort, "stays in service");
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
  public void anotherDatabaseIsANewInstanceThenATargetThenDeletingTheOld() {
    MetadataStore first = configureH2("first", freshDirectory("bad-config-first"));
    configure(METADATA_PID, Map.of("store.target", "(&(store.type=h2)(store.name=first))"));
    awaitBound(service, "h2");
    assertSame(first, service.store());
    service.putShare(new Share(SHARE, LockingMode.ADVISORY));
    service.putFile(new FileRecord(FILE, SHARE, "bad-config-file", null, FileType.FILE, 7));
    grant(service, lock(0, 100));
    grant(service, lock(200, 50));
    awaitWritesLanded(service);
    Map<String, ByteRange> live = liveLocks(service, List.of(FILE));

    Path second = freshDirectory("bad-config-second");
    try (SwapLog log = SwapLog.attach()) {
      MetadataStore moved = configureH2("second", second);
      assertSame("a new instance changes nothing by itself", first, service.store());
      configure(METADATA_PID, Map.of("store.target", "(&(store.type=h2)(store.name=second))"));
      await("the service on the second instance", () -> service.store() == moved);
      deleteInstance(H2_PID, "first");
      awaitWritesLanded(service);

      List<SwapLog.Swap> swaps = log.awaitSwaps(1);
      System.out.println("[itests] move to another H2 database: " + swaps);
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
      assertSame("deleting the old instance changes nothing", moved, service.store());
      assertEquals("warnings or errors logged", List.of(), log.problems());
    }
  }

  @Test
  public void malformedServiceValuesAreOneLineEachAndACorrectionAppliesWithoutARestart() {
    awaitBound(service, "memory");
    Lock held = grant(service, lock(0, 100));
    long component = componentId(METADATA_PID);
    try (SwapLog log = SwapLog.attach()) {
      // as Karaf's file install passes a hand-written value: a string
      configure(METADATA_PID, Map.of("max.locks.per.file", "lots", "fairness", 42));
      List<String> lines = awaitProblems(log, 2);
      System.out.println("[itests] malformed service values: " + lines);
      assertOneLine(lines.get(0), METADATA_PID, "'max.locks.per.file'", "'lots' is not a whole");
      assertOneLine(lines.get(1), METADATA_PID, "'fairness'", "'42' is not one of FIFO, BARGING");
      assertEquals(1000, service.lockManager().config().maxLocksPerFile());
      assertServing(service.store(), held);

      configure(METADATA_PID, Map.of("max.locks.per.file", " 5 ", "fairness", "barging"));
      await("limit 5 in force", () -> service.lockManager().config().maxLocksPerFile() == 5);
      assertEquals(
          org.dittofs.metadata.lock.host.LockConfig.Fairness.BARGING,
          service.lockManager().config().fairness());
      assertEquals("no new problem", 2, log.problems().size());
      assertEquals("the same component, never restarted", component, componentId(METADATA_PID));
      assertTrue(liveLocks(service, List.of(FILE)).containsKey(held.id().toString()));
    }
  }

  @Test
  public void aPostgresStoreUnreachableAtFirstComesUpWhenItsConfigurationIsFixed()
      throws IOException {
    awaitBound(service, "memory");
    Lock held = grant(service, lock(0, 100));
    int closedPort = closedPort();
    try (SwapLog log = SwapLog.attach()) {
      MetadataStore postgres = configureUnreachablePostgres(closedPort);
      List<String> lines = awaitProblems(log, 1);
      assertOneLine(lines.get(0), POSTGRES_PID, "127.0.0.1:" + closedPort, "retrying");
      expectError(ErrorCode.STORE_UNAVAILABLE, () -> postgres.inTransaction(tx -> tx.listShares()));

      target("postgres");
      lines = awaitProblems(log, 2);
      System.out.println("[itests] PostgreSQL unreachable at first: " + lines);
      assertOneLine(lines.get(1), METADATA_PID, "cannot use store postgres", "staying on memory");
      assertEquals("memory", service.store().type());
      assertTrue(grant(service, lock(300, 10)) != null);

      configureInstance(
          POSTGRES_PID, STORE_NAME, Map.of("url", System.getProperty(PostgresServer.URL_PROPERTY)));
      await("the service on PostgreSQL", () -> service.store() == postgres);
      awaitWritesLanded(service);
      assertTrue(storedLocks(postgres).containsKey(held.id().toString()));
      assertEquals("no further problem lines", 2, log.problems().size());
      assertEquals(
          List.of("memory -> postgres"),
          log.swaps().stream().map(s -> s.from() + " -> " + s.to()).toList());
    }
  }

  private long componentId(String name) {
    org.osgi.service.component.runtime.ServiceComponentRuntime scr =
        awaitService(org.osgi.service.component.runtime.ServiceComponentRuntime.class, null);
    for (org.osgi.service.component.runtime.dto.ComponentDescriptionDTO d :
        scr.getComponentDescriptionDTOs(installed(METADATA))) {
      for (org.osgi.service.component.runtime.dto.ComponentConfigurationDTO c :
          scr.getComponentConfigurationDTOs(d)) {
        assertEquals(
            "state of " + d.name,
            org.osgi.service.component.runtime.dto.ComponentConfigurationDTO.ACTIVE,
            c.state);
        return c.id;
      }
    }
    throw new AssertionError("no component configuration for " + name);
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
