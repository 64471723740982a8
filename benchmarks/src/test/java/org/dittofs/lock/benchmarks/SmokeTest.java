package org.dittofs.lock.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The build's proof that the suite still runs: {@code Suite --smoke} (one fork, no warm-up, one
 * iteration of 100 ms, small sizes, one or two methods of every benchmark class, the memory
 * footprint once per implementation): 12 forks and 2 footprint JVMs, about half a minute here.
 * Asserts that every figure was produced and the report written; never what a figure is (the
 * machine is shared and noisy).
 */
class SmokeTest {
  @Test
  void theSuiteRunsEndToEnd(@TempDir Path out) throws Exception {
    // JMH refuses to start while another JMH run holds /tmp/jmh.lock (a benchmark someone runs on
    // the same machine); this run measures nothing, so it need not wait for or fail on that lock
    System.setProperty("jmh.ignoreLock", "true");
    Report r = Suite.run(Suite.Settings.parse("--smoke", "--out=" + out));

    for (String impl : new String[] {Fixtures.DITTOFS, Fixtures.BASELINE}) {
      assertMeasured(r.get("LockTableBenchmark.lockUnlock", "impl", impl, "n", "10"));
      assertMeasured(r.get("ThroughputBenchmark.disjoint2", "impl", impl));
      assertMeasured(r.get("memory", "impl", impl, "shape", Suite.SHAPES[0]));
    }
    for (String store : new String[] {"h2", "postgres"}) {
      assertMeasured(r.get("DurableBenchmark.managed8", "store", store));
      assertMeasured(r.get("DurableBenchmark.raw1", "store", store));
    }
    assertMeasured(r.get("SwapBenchmark.swap", "locks", "1000", "rewrite", "true"));
    assertMeasured(r.get("SwapBenchmark.rawCopy", "locks", "1000", "rewrite", "true"));
    assertMeasured(r.get("RestartBenchmark.recover", "locks", "1000", "files", "10"));
    assertMeasured(r.get("RestartBenchmark.rawRestore", "locks", "1000", "files", "10"));

    assertThat(Files.readString(out.resolve("results.md")))
        .contains("(a) lock+unlock pair", "(d) durable", "(g) retained heap", "n/a");
    assertThat(out.resolve("jmh-result.json")).isNotEmptyFile();
  }

  private static void assertMeasured(Report.Figure f) {
    assertThat(f).as("figure").isNotNull();
    assertThat(f.score()).as("score").isPositive().isFinite();
  }
}
