package org.dittofs.lock.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The CPU-time comparison runs and measures both tables (never what the figures are). */
class CpuTimeComparisonTest {
  @Test
  void comparesBothTablesOnTheSameWorkload() {
    CpuTimeComparison.Result r = CpuTimeComparison.compare(10, 3, 2_000, 1);
    assertThat(r.dittofs()).isPositive().isFinite();
    assertThat(r.baseline()).isPositive().isFinite();
    assertThat(r.ratio()).isPositive().isFinite();
    assertThat(r.low()).isLessThanOrEqualTo(r.ratio());
    assertThat(r.high()).isGreaterThanOrEqualTo(r.ratio());
    assertThat(r.toString()).contains("n = 10", "DittoFS / baseline");
  }

  @Test
  void ownersTakeTurnsOnTheFile() {
    CpuTimeComparison.Result r = CpuTimeComparison.compare(0, 3, 2_000, 2);
    assertThat(r.dittofs()).isPositive().isFinite();
    assertThat(r.baseline()).isPositive().isFinite();
    assertThat(r.toString()).contains("n = 0, 2 owners taking turns");
  }
}
