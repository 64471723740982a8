package org.dittofs.metadata.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
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
import org.dittofs.metadata.lock.LockResult;
import org.dittofs.metadata.lock.LockType;
import org.dittofs.metadata.lock.LockingMode;
import org.dittofs.metadata.lock.UnlockRequest;
import org.dittofs.metadata.lock.host.SwapReport;
import org.dittofs.metadata.lock.spi.LockQuery;
import org.dittofs.metadata.lock.spi.PersistedLock;
import org.dittofs.metadata.lock.testing.ManualScheduler;
import org.dittofs.metadata.spi.MetadataStore;
import org.dittofs.metadata.testing.MapStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Moving a serving metadata service to another store: everything live arrives, nothing is lost. */
class MetadataServiceSwapTest {
  private static final FileHandle F = FileHandle.of("f");
  private static final LockOwner A = LockOwner.of("nlm:a:1:oh");
  private static final LockClient CA = new LockClient("host-a", "nlm");

  private final ManualScheduler scheduler = new ManualScheduler();
  private final MapStore first = new MapStore();
  private final MetadataManager service =
      MetadataServices.over(first).scheduler(scheduler).sweepInterval(Duration.ZERO).start();

  @AfterEach
  void stop() {
    service.close();
  }

  @Test
  void swapCopiesSharesFilesLocksAndEpochInOneGo() {
    service.putShare(new Share("adv", LockingMode.ADVISORY));
    service.putFile(new FileRecord(F, "adv", "f", null, FileType.FILE, 10));
    Lock held = grant(0, 100);
    MapStore next = new MapStore();

    SwapReport report = service.swapStore(next);

    assertThat(report.records()).isEqualTo(1);
    assertThat(service.store()).isSameAs(next);
    next.inTransaction(
        tx -> {
          assertThat(tx.listShares()).containsExactly(new Share("adv", LockingMode.ADVISORY));
          assertThat(tx.getFile(F)).isPresent();
          assertThat(tx.locks().listLocks(LockQuery.all()))
              .extracting(PersistedLock::id)
              .containsExactly(held.id().toString());
          assertThat(tx.locks().getServerEpoch()).isEqualTo(service.lockManager().epoch());
          return null;
        });
  }

  @Test
  void afterTheSwapGrantsAndReleasesLandInTheNewStoreOnly() {
    service.putShare(new Share("adv", LockingMode.ADVISORY));
    Lock before = grant(0, 10);
    MapStore next = new MapStore();
    service.swapStore(next);

    Lock after = grant(100, 10);
    service.locks().unlock(new UnlockRequest(F, A, LockFlavour.POSIX, ByteRange.span(0, 10)));

    assertThat(ids(next)).containsExactly(after.id().toString());
    assertThat(ids(first))
        .containsExactly(before.id().toString()); // the old store is left as it was
  }

  @Test
  void withNoStoreBoundGrantsFailReleasesWorkAndTheNextStoreGetsTheState() {
    service.putShare(new Share("adv", LockingMode.ADVISORY));
    grant(0, 100);
    service.swapStore(null);

    assertThatThrownBy(() -> grant(200, 10))
        .isInstanceOfSatisfying(
            StoreError.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.STORE_UNAVAILABLE));
    service.locks().unlock(new UnlockRequest(F, A, LockFlavour.POSIX, ByteRange.span(40, 20)));
    List<Lock> live = service.lockManager().locks(F);
    assertThat(live).hasSize(2);

    MapStore next = new MapStore();
    service.swapStore(next);

    assertThat(ids(next))
        .containsExactlyInAnyOrderElementsOf(live.stream().map(l -> l.id().toString()).toList());
    assertThat(service.share("adv")).isPresent();
    next.inTransaction(
        tx -> {
          assertThat(tx.listShares()).extracting(Share::name).containsExactly("adv");
          return null;
        });
  }

  private Lock grant(long offset, long length) {
    LockResult r =
        service
            .locks()
            .lock(
                new LockRequest(
                    F,
                    "adv",
                    A,
                    CA,
                    LockFlavour.POSIX,
                    LockType.EXCLUSIVE,
                    ByteRange.span(offset, length)));
    assertThat(r.granted()).isTrue();
    return ((LockResult.Granted) r).lock();
  }

  private static List<String> ids(MetadataStore s) {
    return s.inTransaction(
        tx -> tx.locks().listLocks(LockQuery.all()).stream().map(PersistedLock::id).toList());
  }
}
