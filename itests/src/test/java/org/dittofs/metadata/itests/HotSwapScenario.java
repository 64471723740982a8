package org.dittofs.metadata.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.util.List;
import java.util.Map;
import org.dittofs.metadata.FileRecord;
import org.dittofs.metadata.FileType;
import org.dittofs.metadata.Share;
import org.dittofs.metadata.host.MetadataManager;
import org.dittofs.metadata.lock.FileHandle;
import org.dittofs.metadata.lock.LockingMode;
import org.dittofs.metadata.spi.MetadataStore;

/**
 * The hot swap memory -> h2 -> postgres under live lock traffic, as both containers run it. The
 * swaps are what an operator does: the {@code store.target} of the metadata service's configuration
 * changes, and Declarative Services rebinds its dynamic, greedy {@code store} reference.
 *
 * <p>It proves: no request fails at any time (so DS bound each replacement before unbinding the old
 * store: an unbind first would have opened a window of STORE_UNAVAILABLE, and the service would
 * have logged a swap from "(none)"); every POSIX lock, WINDOWS lock and open acknowledged and not
 * released, blocking requests granted while they waited across a swap included, is in the final
 * store and in the lock manager as the same whole record (kind, flavour, type, range, access, deny,
 * owner, client, file, share, epoch), and nothing else is; shares and files travel too; each swap
 * reports how long traffic was held, which is printed.
 */
final class HotSwapScenario {
  private static final int THREADS = 4;
  private static final int FILES = 6;
  private static final long PHASE_MILLIS = 700;
  private static final long PHASE_REQUESTS = 300;

  private HotSwapScenario() {}

  static void run(ItestSupport test, MetadataManager service, String name) throws Exception {
    ItestSupport.awaitBound(service, "memory");
    test.configureH2(ItestSupport.freshDirectory(name + "-h2"));
    MetadataStore postgres = test.configurePostgres();

    LockTraffic traffic = new LockTraffic(service, name, THREADS, FILES);
    service.putShare(new Share(ItestSupport.SHARE, LockingMode.ADVISORY));
    for (FileHandle f : traffic.files()) {
      service.putFile(new FileRecord(f, ItestSupport.SHARE, f.toString(), null, FileType.FILE, 0));
    }

    Map<String, String> acknowledged;
    try (SwapLog log = SwapLog.attach()) {
      traffic.start();
      try {
        phase(traffic);
        test.target("h2");
        ItestSupport.awaitBound(service, "h2");
        phase(traffic);
        test.target("postgres");
        ItestSupport.awaitBound(service, "postgres");
        phase(traffic);
      } finally {
        acknowledged = traffic.stop();
      }
      ItestSupport.awaitWritesLanded(service);
      List<SwapLog.Swap> swaps = log.awaitSwaps(2);

      System.out.println("[itests] " + name + " traffic: " + traffic);
      swaps.forEach(s -> System.out.println("[itests] " + name + " swap " + s));
      System.out.println("[itests] " + name + " locks held at the end: " + acknowledged.size());

      assertEquals("failed requests", List.of(), traffic.failures());
      assertEquals(
          "swaps reported (a swap from '(none)' would mean DS unbound before binding)",
          List.of("memory -> h2", "h2 -> postgres"),
          swaps.stream().map(s -> s.from() + " -> " + s.to()).toList());
      assertEquals("warnings or errors logged", List.of(), log.problems());
    }

    assertTrue("the traffic holds no lock at the end", !acknowledged.isEmpty());
    for (String kind : List.of("LOCK POSIX", "LOCK WINDOWS", "OPEN")) {
      assertTrue(
          "the traffic holds no " + kind + " record at the end",
          acknowledged.values().stream().anyMatch(r -> r.startsWith(kind)));
    }
    assertEquals(
        "acknowledged locks and opens vs the lock manager, whole records",
        acknowledged,
        Locks.liveRecords(service, traffic.files()));
    assertEquals(
        "acknowledged locks and opens vs the final store, whole records",
        acknowledged,
        Locks.storedRecords(postgres));
    postgres.inTransaction(
        tx -> {
          assertTrue("share in postgres", tx.getShare(ItestSupport.SHARE).isPresent());
          for (FileHandle f : traffic.files()) {
            assertTrue("file " + f + " in postgres", tx.getFile(f).isPresent());
          }
          assertEquals("epoch", service.lockManager().epoch(), tx.locks().getServerEpoch());
          return null;
        });
  }

  /** Lets the traffic run for a while and make some progress on the current store. */
  private static void phase(LockTraffic traffic) throws InterruptedException {
    long before = traffic.requests();
    Thread.sleep(PHASE_MILLIS);
    ItestSupport.await(
        PHASE_REQUESTS + " more requests (" + traffic + ")",
        () -> traffic.requests() >= before + PHASE_REQUESTS || !traffic.failures().isEmpty());
  }
}
