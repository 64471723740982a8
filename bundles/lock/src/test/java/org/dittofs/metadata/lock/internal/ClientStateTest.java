package org.dittofs.metadata.lock.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.dittofs.metadata.lock.LockClient;
import org.junit.jupiter.api.Test;

/** When a client was last heard of: a later reading moves it, an earlier or equal one does not. */
class ClientStateTest {
  @Test
  void lastSeenOnlyMovesForward() {
    ClientState s = new ClientState(new LockClient("c", "test"), 1_000);

    s.seen(1_000); // the same tick of the coarse clock
    assertThat(s.lastSeenNanos).isEqualTo(1_000);
    s.seen(2_000);
    assertThat(s.lastSeenNanos).isEqualTo(2_000);
    s.seen(1_500); // a request stamped before the one that wrote 2,000
    assertThat(s.lastSeenNanos).isEqualTo(2_000);
  }

  @Test
  void readingsAcrossTheWrapOfNanoTimeCountAsLater() {
    ClientState s = new ClientState(new LockClient("c", "test"), Long.MAX_VALUE - 10);

    s.seen(Long.MIN_VALUE + 10); // 21 ns later, past the sign change (nanoTime may start anywhere)

    assertThat(s.lastSeenNanos).isEqualTo(Long.MIN_VALUE + 10);
  }
}
