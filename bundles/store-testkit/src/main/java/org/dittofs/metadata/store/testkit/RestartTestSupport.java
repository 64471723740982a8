package org.dittofs.metadata.store.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.dittofs.metadata.FileRecord;
import org.dittofs.metadata.FileType;
import org.dittofs.metadata.Share;
import org.dittofs.metadata.errors.ErrorCode;
import org.dittofs.metadata.errors.StoreError;
import org.dittofs.metadata.host.MetadataManager;
import org.dittofs.metadata.host.MetadataServices;
import org.dittofs.metadata.lock.ByteRange;
import org.dittofs.metadata.lock.FileHandle;
import org.dittofs.metadata.lock.Lock;
import org.dittofs.metadata.lock.LockClient;
import org.dittofs.metadata.lock.LockFlavour;
import org.dittofs.metadata.lock.LockOwner;
import org.dittofs.metadata.lock.LockRequest;
import org.dittofs.metadata.lock.LockType;
import org.dittofs.metadata.lock.LockingMode;
import org.dittofs.metadata.lock.OpenRequest;
import org.dittofs.metadata.lock.ShareReservation;
import org.dittofs.metadata.lock.host.LockConfig;
import org.dittofs.metadata.lock.spi.LockQuery;
import org.dittofs.metadata.lock.spi.PersistedLock;
import org.dittofs.metadata.lock.testing.ManualScheduler;
import org.dittofs.metadata.lock.testing.Records;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * What the restart suite ({@link AbstractMetadataServiceRestartTest}) works with: the requests it
 * grants before a restart, the service's life cycle over the fixture's store (start, crash, clean
 * stop, reopen), and the state it compares after one.
 */
abstract class RestartTestSupport extends StoreTestSupport {
  /** The grace period of every service the suite starts. */
  protected static final Duration GRACE = Duration.ofSeconds(30);

  static final LockConfig CONFIG = LockConfig.builder().gracePeriod(GRACE).build();
  static final long TOP = Long.MIN_VALUE; // 2^63

  /** A POSIX request on the share "export". */
  static LockRequest posix(
      FileHandle file, LockOwner owner, LockClient client, LockType type, ByteRange range) {
    return new LockRequest(file, "export", owner, client, LockFlavour.POSIX, type, range);
  }

  /** A WINDOWS request on the share "windows". */
  static LockRequest windows(
      FileHandle file, LockOwner owner, LockClient client, LockType type, ByteRange range) {
    return new LockRequest(file, "windows", owner, client, LockFlavour.WINDOWS, type, range);
  }

  static final FileHandle A = FileHandle.of("restart-a");
  static final FileHandle B = FileHandle.of(new byte[] {0, (byte) 0xff, 'b'});
  static final FileHandle C = FileHandle.of("restart-c");
  static final LockClient NLM1 = new LockClient("host-1", "nlm");
  static final LockClient NLM2 = new LockClient("host-2:öß%", "nlm");
  static final LockClient SMB = new LockClient("session-'1'", "smb");
  static final LockOwner P1 = LockOwner.of("nlm:host-1:100:oh");
  static final LockOwner P2 = LockOwner.of("nlm:host-2:200:" + TrickyText.INJECTION);
  static final LockOwner W1 = LockOwner.of("smb:session-1:fid-7 🔒");
  static final LockOwner O1 = LockOwner.of("smb:open:%_");

  /** POSIX exclusive [0, 99] on A. */
  static final LockRequest P1_LOCK = posix(A, P1, NLM1, LockType.EXCLUSIVE, ByteRange.span(0, 100));

  /** POSIX shared [2^63, 2^64-1] on A. */
  static final LockRequest P2_LOCK = posix(A, P2, NLM2, LockType.SHARED, ByteRange.toEnd(TOP));

  /** WINDOWS exclusive [2^63, 2^64-1] on B. */
  static final LockRequest W1_LOCK =
      windows(B, W1, SMB, LockType.EXCLUSIVE, ByteRange.of(TOP, ByteRange.MAX));

  /** WINDOWS shared, zero-length at 2^64-1, on B. */
  static final LockRequest W1_ZERO =
      windows(B, W1, SMB, LockType.SHARED, ByteRange.zeroLength(ByteRange.MAX));

  /** An open of B with READ+WRITE access denying WRITE. */
  static final OpenRequest O1_OPEN =
      new OpenRequest(B, "windows", O1, SMB, Records.modes("RW"), Records.modes("W"));

  /** The scheduler of the service last started. */
  protected ManualScheduler scheduler;

  /** The running service, null after a crash or a stop. */
  protected MetadataManager service;

  Instant clock = Instant.parse("2024-01-01T00:00:00Z");

  /** What a service held before a restart. */
  record Held(List<Lock> onA, List<Lock> onB, List<ShareReservation> opensOfB) {}

  @BeforeEach
  void requireDurableFixture() {
    assertThat(fixture.isDurable())
        .as("the restart suite needs a durable fixture; %s is not", fixture.name())
        .isTrue();
  }

  @AfterEach
  void stopService() {
    if (service != null) {
      service.close();
      service = null;
    }
  }

  // ---- life cycle ----

  /** Starts a service over the current store, on a fresh virtual clock an hour later. */
  protected final MetadataManager startService() {
    clock = clock.plus(Duration.ofHours(1));
    scheduler = new ManualScheduler(clock);
    service =
        MetadataServices.over(store)
            .config(CONFIG)
            .scheduler(scheduler)
            .sweepInterval(Duration.ZERO)
            .start();
    return service;
  }

  /**
   * Starts the first service over the fresh store of a test. A store that was never stopped has no
   * clean-shutdown marker, so the lock manager enters a grace period with nothing restored (SPEC
   * 11); it is run out here, so that the test can grant locks.
   */
  protected final MetadataManager startOnFreshStore() {
    startService();
    if (service.locks().graceStatus().active()) {
      assertThat(service.locks().graceStatus().restoredRecords()).isZero();
      endGrace();
    }
    return service;
  }

  /** The process dies: the service is dropped without a stop, the store closed and reopened. */
  protected final void crash() {
    service = null;
    reopenStore();
  }

  /** The service is stopped cleanly, the store closed and reopened. */
  protected final void cleanStop() {
    service.close();
    service = null;
    reopenStore();
  }

  /** Closes the current store and opens a new store object over the same data. */
  protected final void reopenStore() {
    close(store);
    store = fixture.reopen();
  }

  void endGrace() {
    scheduler.advance(GRACE.plusSeconds(1));
  }

  // ---- the state granted before a restart ----

  Held grantAll() {
    service.putShare(new Share("export", LockingMode.ADVISORY));
    service.putShare(new Share("windows", LockingMode.MANDATORY));
    service.putFile(new FileRecord(A, "export", "a.txt", null, FileType.FILE, 10));
    service.putFile(new FileRecord(B, "windows", "b ö.doc", null, FileType.FILE, 20));
    for (LockRequest r : List.of(P1_LOCK, P2_LOCK, W1_LOCK, W1_ZERO)) {
      assertThat(service.locks().lock(r).granted()).as("grant of %s", r).isTrue();
    }
    service.locks().open(O1_OPEN);
    return held();
  }

  Held held() {
    return new Held(
        service.lockManager().locks(A),
        service.lockManager().locks(B),
        service.lockManager().opens(B));
  }

  List<PersistedLock> stored() {
    return locks(LockQuery.all());
  }

  static List<PersistedLock> persisted(Held h) {
    return Stream.of(
            h.onA().stream().map(PersistedLock::of),
            h.onB().stream().map(PersistedLock::of),
            h.opensOfB().stream().map(PersistedLock::of))
        .flatMap(s -> s)
        .toList();
  }

  static void assertCode(ErrorCode code, Runnable call) {
    assertThatThrownBy(call::run)
        .isInstanceOfSatisfying(StoreError.class, e -> assertThat(e.code()).isEqualTo(code));
  }
}
