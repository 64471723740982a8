package org.dittofs.metadata.itests;

import static org.dittofs.metadata.itests.Locks.grant;
import static org.dittofs.metadata.itests.Locks.posix;
import static org.dittofs.metadata.itests.Locks.windows;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.features;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import javax.inject.Inject;
import org.apache.karaf.features.BootFinished;
import org.dittofs.metadata.host.MetadataManager;
import org.dittofs.metadata.lock.ByteRange;
import org.dittofs.metadata.lock.FileHandle;
import org.dittofs.metadata.lock.GraceStatus;
import org.dittofs.metadata.lock.LockFlavour;
import org.dittofs.metadata.lock.LockRequest;
import org.dittofs.metadata.lock.LockResult;
import org.dittofs.metadata.lock.LockType;
import org.dittofs.metadata.lock.OpenRequest;
import org.dittofs.metadata.lock.ShareAccess;
import org.dittofs.metadata.lock.UnlockRequest;
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
 * Karaf 4.4 restarted as an operator restarts it: four containers in a row over the same H2
 * directory, each stopped by Pax Exam the way Karaf stops (the framework stops its bundles, the
 * store bundles before the metadata bundle), configured as an operator does, in {@code etc/}. Every
 * container logs to one file that outlives it ({@link KarafLogFile}).
 *
 * <ol>
 *   <li>a: a new store, no grace; a lock taken and released, nothing held at the stop.
 *   <li>b, c: after each clean stop with nothing held, no grace (new locks granted at once), the
 *       stop logged "closed cleanly" and no warning or error of the project's bundles; c then holds
 *       a POSIX lock, a WINDOWS lock and an open.
 *   <li>d: what c held is restored and the grace period entered (new locks refused), the reclaims
 *       end it.
 * </ol>
 *
 * <p>The methods need each other: run the class.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerMethod.class)
@FixMethodOrder(MethodSorters.NAME_ASCENDING)
public class KarafRestartIT extends ItestSupport {
  private static final String DIRECTORY = "karaf-restart-h2";
  private static final String LOG = "karaf-restart.log";
  private static final String CLOSED_CLEANLY = "lock manager closed cleanly over h2 (itest)";
  private static boolean firstContainer = true;

  private static final FileHandle A = FileHandle.of("karaf-restart-a");
  private static final RestartParties P = RestartParties.named("karaf-restart");
  private static final LockRequest POSIX_LOCK = P.heldPosix(A);
  private static final LockRequest WINDOWS_LOCK =
      windows(A, P.windows(), P.smb(), LockType.SHARED, ByteRange.span(1000, 10));
  private static final OpenRequest OPEN =
      new OpenRequest(
          A, SHARE, P.windows(), P.smb(), Set.of(ShareAccess.READ), Set.of(ShareAccess.DELETE));

  @Inject private BootFinished bootFinished;
  @Inject private MetadataManager service;

  /** Each container: the core and H2 features, the service and the store configured in etc/. */
  @Configuration
  public Option[] config() {
    Path dir = Path.of(System.getProperty("dittofs.itest.data"), DIRECTORY).toAbsolutePath();
    if (firstContainer) {
      firstContainer = false;
      deleteTree(dir);
      deleteTree(KarafLogFile.path(LOG));
    }
    String service = "etc/" + METADATA_PID + ".cfg";
    return karaf(
        features(featureRepository(), "dittofs-lock-store-memory", "dittofs-lock-store-h2"),
        editConfigurationFilePut(service, "store.target", "(&(store.type=h2)(store.name=itest))"),
        editConfigurationFilePut(service, "grace.period.seconds", "300"),
        editConfigurationFilePut("etc/" + H2_PID + "-itest.cfg", "directory", dir.toString()),
        KarafLogFile.option(LOG));
  }

  @Test
  public void a_aNewStoreStartsWithoutGraceAndNothingIsHeldAtTheStop() {
    awaitBound(service, "h2");
    assertFalse("a new store starts without grace", service.locks().graceStatus().active());
    grant(service, POSIX_LOCK);
    service.locks().unlock(new UnlockRequest(A, P.posix(), LockFlavour.POSIX, POSIX_LOCK.range()));
    awaitWritesLanded(service);
  }

  @Test
  public void b_aCleanRestartWithNothingHeldHasNoGrace() {
    assertCleanRestart(1);
    service
        .locks()
        .unlock(new UnlockRequest(A, P.otherPosix(), LockFlavour.POSIX, ByteRange.span(0, 10)));
    awaitWritesLanded(service);
  }

  @Test
  public void c_aSecondCleanRestartHasNoGraceEither() {
    assertCleanRestart(2);
    service
        .locks()
        .unlock(new UnlockRequest(A, P.otherPosix(), LockFlavour.POSIX, ByteRange.span(0, 10)));
    grant(service, POSIX_LOCK);
    grant(service, WINDOWS_LOCK);
    service.locks().open(OPEN);
    awaitWritesLanded(service);
  }

  @Test
  public void d_locksHeldAtTheStopMeanGraceAndReclaims() {
    awaitBound(service, "h2");
    List<String> lines = KarafLogFile.lines(LOG);
    assertEquals("clean stops", 3, count(lines, CLOSED_CLEANLY));
    assertEquals("warnings or errors", List.of(), KarafLogFile.problems(lines));

    P.assertGrace(service, A, 3); // two locks and an open
    assertTrue(service.locks().reclaim(POSIX_LOCK) instanceof LockResult.Granted);
    assertTrue(service.locks().reclaim(WINDOWS_LOCK) instanceof LockResult.Granted);
    service.locks().reclaimOpen(OPEN);
    await("grace over once everything is reclaimed", () -> !service.locks().graceStatus().active());
    grant(service, P.newPosix(A));
  }

  /** After {@code stops} clean stops with nothing held: no grace, the lines, a grant at once. */
  private void assertCleanRestart(int stops) {
    awaitBound(service, "h2");
    GraceStatus grace = service.locks().graceStatus();
    System.out.println("[itests] Karaf clean restart " + stops + ": " + grace);
    assertFalse("no grace after a clean stop with nothing held", grace.active());
    List<String> lines = KarafLogFile.lines(LOG);
    lines.stream()
        .filter(l -> l.contains(CLOSED_CLEANLY))
        .forEach(l -> System.out.println("[itests] " + l));
    assertEquals("clean stops logged", stops, count(lines, CLOSED_CLEANLY));
    assertTrue(
        "attributed to the metadata bundle",
        lines.stream()
            .filter(l -> l.contains(CLOSED_CLEANLY))
            .allMatch(l -> l.contains(" - " + METADATA + " - ")));
    assertEquals("warnings or errors", List.of(), KarafLogFile.problems(lines));
    grant(service, posix(A, P.otherPosix(), P.nlm(), LockType.EXCLUSIVE, ByteRange.span(0, 10)));
  }

  private static long count(List<String> lines, String text) {
    return lines.stream().filter(l -> l.contains(text)).count();
  }
}
