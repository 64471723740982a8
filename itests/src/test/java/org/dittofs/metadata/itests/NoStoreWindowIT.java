package org.dittofs.metadata.itests;

import static org.dittofs.metadata.itests.Locks.expectError;
import static org.dittofs.metadata.itests.Locks.grant;
import static org.dittofs.metadata.itests.Locks.liveLocks;
import static org.dittofs.metadata.itests.Locks.posix;
import static org.dittofs.metadata.itests.Locks.storedLocks;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

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
import org.dittofs.metadata.lock.LockFlavour;
import org.dittofs.metadata.lock.LockOwner;
import org.dittofs.metadata.lock.LockType;
import org.dittofs.metadata.lock.LockingMode;
import org.dittofs.metadata.lock.UnlockRequest;
import org.dittofs.metadata.spi.MetadataStore;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerMethod;

/**
 * Native Felix, one container per test: what happens when the bound store goes away.
 *
 * <ul>
 *   <li>With no other store matching (store.target names a type that is not registered, so the
 *       service stayed on the memory store until that one was stopped), the service runs without
 *       one: grants fail with STORE_UNAVAILABLE, releases succeed, and the next matching store
 *       receives the state as it is then (the released bytes gone, the split pieces present).
 *   <li>With another store matching, DS binds it before unbinding the one that goes away, and the
 *       departing store is still readable while it is unbound: its files arrive in the replacement.
 * </ul>
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerMethod.class)
public class NoStoreWindowIT extends ItestSupport {
  private static final FileHandle FILE = FileHandle.of("window-file");
  private static final LockOwner OWNER = LockOwner.of("nlm:window-host:1:oh");
  private static final LockClient CLIENT = new LockClient("window-host", "nlm");

  @Inject private MetadataManager service;

  @Configuration
  public Option[] config() {
    return felix(core(), memoryStore(), h2Store());
  }

  @Test
  public void withoutAStoreGrantsFailReleasesWorkAndTheNextStoreGetsTheState() {
    awaitBound(service, "memory");
    service.putShare(new Share(SHARE, LockingMode.ADVISORY));
    Lock held =
        grant(service, posix(FILE, OWNER, CLIENT, LockType.EXCLUSIVE, ByteRange.span(0, 100)));

    try (SwapLog log = SwapLog.attach()) {
      // no H2 store is configured: nothing matches, the service stays on memory ...
      target("h2");
      await("store.target applied", () -> !log.problems().isEmpty());
      assertEquals("memory", service.store().type());
      // ... until memory goes away: nothing left that matches, the service detaches
      stopBundle(STORE_MEMORY);
      awaitBound(service, null);

      expectError(
          ErrorCode.STORE_UNAVAILABLE,
          () ->
              service
                  .locks()
                  .lock(posix(FILE, OWNER, CLIENT, LockType.SHARED, ByteRange.span(500, 10))));
      service
          .locks()
          .unlock(new UnlockRequest(FILE, OWNER, LockFlavour.POSIX, ByteRange.span(40, 20)));
      Map<String, ByteRange> live = liveLocks(service, List.of(FILE));
      assertEquals("two pieces after the split release", 2, live.size());
      assertTrue("the original record is gone", !live.containsKey(held.id().toString()));
      assertTrue(
          "the pieces",
          live.values().containsAll(List.of(ByteRange.span(0, 40), ByteRange.span(60, 40))));

      MetadataStore h2 = configureH2(freshDirectory("no-store-window-h2"));
      awaitBound(service, "h2");
      awaitWritesLanded(service);

      assertEquals("the next store holds the state of the window", live, storedLocks(h2));
      h2.inTransaction(
          tx -> {
            assertTrue("share copied", tx.getShare(SHARE).isPresent());
            assertEquals("epoch", service.lockManager().epoch(), tx.locks().getServerEpoch());
            return null;
          });
      Lock after =
          grant(service, posix(FILE, OWNER, CLIENT, LockType.SHARED, ByteRange.span(500, 10)));
      awaitWritesLanded(service);
      assertTrue("grants work again", storedLocks(h2).containsKey(after.id().toString()));

      List<SwapLog.Swap> swaps = log.awaitSwaps(2);
      swaps.forEach(s -> System.out.println("[itests] no-store window swap " + s));
      assertEquals(
          List.of("memory -> (none)", "(none) -> h2"),
          swaps.stream().map(s -> s.from() + " -> " + s.to()).toList());
    }
  }

  private void stopBundle(String symbolicName) {
    try {
      installed(symbolicName).stop();
    } catch (org.osgi.framework.BundleException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  public void aDepartingStoreIsReadWhileDsReplacesIt() {
    awaitBound(service, "memory");
    MetadataStore memory = awaitStore("memory");
    configureInstance(
        H2_PID,
        STORE_NAME,
        Map.of(
            "directory",
            freshDirectory("departing-h2").toString(),
            "user",
            "sa",
            ".password",
            "",
            "service.ranking",
            10));
    awaitStore("h2");
    configure(METADATA_PID, Map.of("store.target", "(|(store.type=h2)(store.type=memory))"));
    awaitBound(service, "h2"); // greedy: the better ranked store wins

    service.putShare(new Share(SHARE, LockingMode.ADVISORY));
    service.putFile(new FileRecord(FILE, SHARE, "window-file", null, FileType.FILE, 42));
    grant(service, posix(FILE, OWNER, CLIENT, LockType.EXCLUSIVE, ByteRange.span(0, 100)));
    awaitWritesLanded(service);
    Map<String, ByteRange> live = liveLocks(service, List.of(FILE));

    try (SwapLog log = SwapLog.attach()) {
      deleteInstance(H2_PID, STORE_NAME); // the H2 store goes away; memory still matches
      awaitBound(service, "memory");
      awaitWritesLanded(service);

      List<SwapLog.Swap> swaps = log.awaitSwaps(1);
      swaps.forEach(s -> System.out.println("[itests] departing store swap " + s));
      assertEquals(
          "DS bound the replacement before unbinding the departing store",
          List.of("h2 -> memory"),
          swaps.stream().map(s -> s.from() + " -> " + s.to()).toList());
      assertEquals("warnings or errors logged", List.of(), log.problems());
    }
    assertEquals("locks in the replacement", live, storedLocks(memory));
    memory.inTransaction(
        tx -> {
          assertEquals(
              "the file was read from the departing H2 store",
              42L,
              tx.getFile(FILE).map(FileRecord::size).orElse(-1L).longValue());
          return null;
        });
  }
}
