package org.dittofs.lock.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The hot-file CPU-time comparison runs both tables with two threads, on gaps of their own and as
 * readers of one range (never what a figure is).
 */
class HotFileCpuComparisonTest {
  @Test
  void comparesBothTablesWithTwoThreadsOnOneFile() throws Exception {
    HotFileCpuComparison.Result r = HotFileCpuComparison.compare(2, 3, 2_000, false);
    assertThat(r.dittofs()).isPositive().isFinite();
    assertThat(r.baseline()).isPositive().isFinite();
    assertThat(r.ratio()).isBetween(r.low(), r.high());
    assertThat(r.dittofsPerMicro()).isPositive().isFinite();
    assertThat(r.baselinePerMicro()).isPositive().isFinite();
    assertThat(r.toString()).contains("hot file, 2 thread(s)", "DittoFS / baseline");
  }

  @Test
  void comparesBothTablesWithTwoReadersOfOneRange() throws Exception {
    HotFileCpuComparison.Result r = HotFileCpuComparison.compare(2, 3, 2_000, true);
    assertThat(r.dittofs()).isPositive().isFinite();
    assertThat(r.baseline()).isPositive().isFinite();
    assertThat(r.toString()).contains("readers of one range, 2 thread(s)");
  }
}
