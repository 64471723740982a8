package org.dittofs.example.nlm;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.dittofs.example.nlm.NlmAdapter.NlmLock;
import org.dittofs.metadata.host.MetadataManager;
import org.dittofs.metadata.host.MetadataServices;
import org.dittofs.metadata.lock.ByteRange;
import org.dittofs.metadata.lock.Lock;
import org.dittofs.metadata.lock.LockOwner;
import org.dittofs.metadata.store.memory.MemoryMetadataStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The example adapter over a real metadata service: what an NLM client would see. */
class NlmAdapterTest {
  private final MetadataManager host =
      MetadataServices.over(new MemoryMetadataStore()).sweepInterval(Duration.ZERO).start();
  private final NlmAdapter nlm = new NlmAdapter(host);
  private final List<Lock> grantedLater = new CopyOnWriteArrayList<>();

  private static NlmLock lock(String caller, long offset, long length) {
    return new NlmLock(
        "export",
        "fh-1".getBytes(StandardCharsets.UTF_8),
        caller,
        7,
        new byte[] {1, 2},
        offset,
        length);
  }

  @AfterEach
  void close() {
    host.close();
  }

  @Test
  void conflictingLockFromAnotherHostIsDeniedAndTestNamesTheHolder() {
    assertThat(nlm.lock(lock("alpha", 0, 0), true, false, grantedLater::add))
        .isEqualTo(NlmStatus.GRANTED);

    assertThat(nlm.lock(lock("beta", 100, 10), false, false, grantedLater::add))
        .isEqualTo(NlmStatus.DENIED);
    assertThat(nlm.test(lock("beta", 100, 10), false))
        .hasValueSatisfying(
            l -> {
              assertThat(l.owner()).isEqualTo(LockOwner.of("nlm:alpha:7:0102"));
              assertThat(l.range()).isEqualTo(ByteRange.toEnd(0));
            });
  }

  @Test
  void blockedLockIsGrantedByCallbackWhenTheHolderUnlocks() {
    nlm.lock(lock("alpha", 0, 10), true, false, grantedLater::add);

    assertThat(nlm.lock(lock("beta", 5, 10), true, true, grantedLater::add))
        .isEqualTo(NlmStatus.BLOCKED);
    assertThat(grantedLater).isEmpty();
    assertThat(nlm.unlock(lock("alpha", 0, 10))).isEqualTo(NlmStatus.GRANTED);

    assertThat(grantedLater)
        .singleElement()
        .satisfies(l -> assertThat(l.range()).isEqualTo(ByteRange.span(5, 10)));
    assertThat(nlm.cancel(lock("beta", 5, 10))).isEqualTo(NlmStatus.DENIED);
  }

  @Test
  void cancelOfABlockedLockLeavesNothingBehind() {
    nlm.lock(lock("alpha", 0, 10), true, false, grantedLater::add);
    nlm.lock(lock("beta", 0, 10), true, true, grantedLater::add);

    assertThat(nlm.cancel(lock("beta", 0, 10))).isEqualTo(NlmStatus.GRANTED);
    nlm.unlock(lock("alpha", 0, 10));

    assertThat(grantedLater).isEmpty();
    assertThat(nlm.test(lock("gamma", 0, 10), true)).isEmpty();
  }

  @Test
  void crossedBlockingRequestsAnswerDeadlck() {
    nlm.lock(lock("alpha", 0, 10), true, false, grantedLater::add);
    nlm.lock(lock("beta", 10, 10), true, false, grantedLater::add);
    assertThat(nlm.lock(lock("alpha", 10, 10), true, true, grantedLater::add))
        .isEqualTo(NlmStatus.BLOCKED);

    assertThat(nlm.lock(lock("beta", 0, 10), true, true, grantedLater::add))
        .isEqualTo(NlmStatus.DEADLCK);
  }

  @Test
  void rebootOfTheCallerReleasesItsLocks() {
    nlm.lock(lock("alpha", 0, 10), true, false, grantedLater::add);

    nlm.rebooted("alpha");

    assertThat(nlm.lock(lock("beta", 0, 10), true, false, grantedLater::add))
        .isEqualTo(NlmStatus.GRANTED);
  }
}
