package org.dittofs.metadata.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LockRowsTest {

  @Test
  void encodingFlipsTheTopBit() {
    assertThat(LockRows.encode(0L)).isEqualTo(Long.MIN_VALUE);
    assertThat(LockRows.encode(Long.MAX_VALUE)).isEqualTo(-1L);
    assertThat(LockRows.encode(Long.MIN_VALUE)).isEqualTo(0L);
    assertThat(LockRows.encode(-1L)).isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void encodingIsExactAndKeepsUnsignedOrder() {
    Random random = new Random(42);
    long[] values = new long[2_000];
    for (int i = 0; i < values.length; i++) {
      values[i] =
          i < 4 ? new long[] {0L, Long.MAX_VALUE, Long.MIN_VALUE, -1L}[i] : random.nextLong();
    }
    for (long v : values) {
      assertThat(LockRows.decode(LockRows.encode(v))).isEqualTo(v);
    }
    long[] unsignedSorted =
        Arrays.stream(values)
            .boxed()
            .sorted(Long::compareUnsigned)
            .mapToLong(Long::longValue)
            .toArray();
    long[] encodedSorted =
        Arrays.stream(values).map(LockRows::encode).sorted().map(LockRows::decode).toArray();
    assertThat(encodedSorted).containsExactly(unsignedSorted);
  }
}
