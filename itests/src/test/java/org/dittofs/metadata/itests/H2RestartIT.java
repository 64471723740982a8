package org.dittofs.metadata.itests;

import static org.dittofs.metadata.itests.Locks.expectError;
import static org.dittofs.metadata.itests.Locks.grant;
import static org.dittofs.metadata.itests.Locks.liveLocks;
import static org.dittofs.metadata.itests.Locks.posix;
import static org.dittofs.metadata.itests.Locks.storedLocks;
import static org.dittofs.metadata.itests.Locks.windows;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import javax.inject.Inject;
import org.dittofs.metadata.FileRecord;
import org.dittofs.metadata.FileType;
import org.dittofs.metadata.Share;
import org.dittofs.metadata.errors.ErrorCode;
import org.dittofs.metadata.host.MetadataManager;
import org.dittofs.metadata.lock.ByteRange;
import org.dittofs.metadata.lock.FileHandle;
import org.dittofs.metadata.lock.Lock;
import org.dittofs.metadata.lock.LockFlavour;
import org.dittofs.metadata.lock.LockRequest;
import org.dittofs.metadata.lock.LockResult;
import org.dittofs.metadata.lock.LockType;
import org.dittofs.metadata.lock.LockingMode;
import org.dittofs.metadata.lock.UnlockRequest;
import org.dittofs.metadata.spi.MetadataStore;
import org.junit.FixMethodOrder;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.MethodSorters;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerMethod;

/**
 * Native Felix, restarted: the two methods run in order, each in a container of its own, over the
 * same H2 directory. The first grants locks on the H2 store and lets the container stop; the second
 * starts a new container over the same directory and finds the locks restored with their ids and
 * ranges, the grace period entered (new grants refused with GRACE_PERIOD), reclaims decided against
 * the restored state, and grace over once everything is reclaimed.
 *
 * <p>Only the memory store is left out of these containers, so the service starts over H2 when that
 * store is bound, never over an empty memory store first. The second method needs the first: run
 * the class, not the method alone.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerMethod.class)
@FixMethodOrder(MethodSorters.NAME_ASCENDING)
public class H2RestartIT extends ItestSupport {
  private static final String DIRECTORY = "restart-h2";
  private static final String EXPECTED = "locks-before-restart.properties";

  private static final FileHandle A = FileHandle.of("restart-a");
  private static final FileHandle B = FileHandle.of("restart-b");
  private static final RestartParties P = RestartParties.named("restart");

  private static final LockRequest POSIX_LOCK = P.heldPosix(A);
  private static final LockRequest RELEASED_LOCK =
      posix(A, P.otherPosix(), P.nlm(), LockType.SHARED, ByteRange.span(200, 100));
  private static final LockRequest WINDOWS_LOCK =
      windows(
          B,
          P.windows(),
          P.smb(),
          LockType.SHARED,
          ByteRange.of(Long.MIN_VALUE, ByteRange.MAX)); // [2^63, 2^64-1]

  @Inject private MetadataManager service;

  @Configuration
  public Option[] config() {
    return felix(core(), h2Store());
  }

  @Test
  public void a_locksAreGrantedOnH2BeforeTheRestart() throws IOException {
    Path dir = freshDirectory(DIRECTORY);
    MetadataStore h2 = start(dir);
    assertFalse("a new store starts without grace", service.locks().graceStatus().active());

    service.putShare(new Share(SHARE, LockingMode.ADVISORY));
    service.putFile(new FileRecord(A, SHARE, "a", null, FileType.FILE, 1));
    service.putFile(new FileRecord(B, SHARE, "b", null, FileType.FILE, 2));
    Lock p = grant(service, POSIX_LOCK);
    Lock w = grant(service, WINDOWS_LOCK);
    grant(service, RELEASED_LOCK);
    service
        .locks()
        .unlock(new UnlockRequest(A, P.otherPosix(), LockFlavour.POSIX, RELEASED_LOCK.range()));
    awaitWritesLanded(service);

    Map<String, ByteRange> held = liveLocks(service, List.of(A, B));
    assertEquals(Set.of(p.id().toString(), w.id().toString()), held.keySet());
    assertEquals("in the store before the restart", held, storedLocks(h2));
    Properties expected = new Properties();
    held.forEach((id, range) -> expected.setProperty(id, range.toString()));
    try (Writer out = Files.newBufferedWriter(dir.resolve(EXPECTED))) {
      expected.store(out, "locks held when the first container stopped");
    }
    // the container stops after this method: the H2 store and the service go with it
  }

  @Test
  public void b_afterTheRestartLocksAreRestoredGraceIsEnteredAndReclaimWorks() throws IOException {
    Path dir = Path.of(System.getProperty("dittofs.itest.data"), DIRECTORY).toAbsolutePath();
    Path expectedFile = dir.resolve(EXPECTED);
    assertTrue(
        expectedFile + " is missing: run the whole class", Files.isRegularFile(expectedFile));
    Properties expected = new Properties();
    try (Reader in = Files.newBufferedReader(expectedFile)) {
      expected.load(in);
    }
    MetadataStore h2 = start(dir);

    P.assertGrace(service, A, 2);
    Map<String, String> restored = new TreeMap<>();
    liveLocks(service, List.of(A, B)).forEach((id, range) -> restored.put(id, range.toString()));
    assertEquals("restored locks: same ids and ranges", new TreeMap<>(expected), restored);

    expectError(
        ErrorCode.LOCK_NOT_FOUND,
        () ->
            service
                .locks()
                .reclaim(posix(A, P.posix(), P.nlm(), LockType.EXCLUSIVE, ByteRange.span(0, 99))));

    assertTrue("POSIX reclaim", service.locks().reclaim(POSIX_LOCK) instanceof LockResult.Granted);
    assertTrue(
        "WINDOWS reclaim", service.locks().reclaim(WINDOWS_LOCK) instanceof LockResult.Granted);
    await("grace over once everything is reclaimed", () -> !service.locks().graceStatus().active());

    grant(service, RELEASED_LOCK);
    awaitWritesLanded(service);
    Map<String, ByteRange> live = liveLocks(service, List.of(A, B));
    assertEquals("locks after grace", 3, live.size());
    assertEquals("the store follows", live, storedLocks(h2));
    assertTrue("the share survived the restart", service.share(SHARE).isPresent());
    assertTrue("the file survived the restart", service.file(A).isPresent());
  }

  /** Configures the service and the H2 store over {@code dir}; the service starts when bound. */
  private MetadataStore start(Path dir) {
    configure(
        METADATA_PID, Map.of("store.target", "(store.type=h2)", "grace.period.seconds", 300L));
    MetadataStore h2 = configureH2(dir);
    awaitBound(service, "h2");
    return h2;
  }
}
