package org.dittofs.lock.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The build's proof that the cluster benchmark still runs (1 s per throughput run, no warm-up, 10
 * latency samples): every row is there with a figure; never what a figure is (the machine is shared
 * and noisy).
 */
class ClusterBenchmarkTest {
  @Test
  void everyFigureIsProduced() throws Exception {
    Fixtures.quietLogs();
    String report = ClusterBenchmark.run(1, 0, 10, false);
    for (String row :
        new String[] {
          "| cluster, 1 node |",
          "| cluster, 2 nodes |",
          "| cluster, 3 nodes |",
          "| one durable node, 4 threads |",
          "| one durable node, 12 threads |",
          "| conflict answered, across nodes",
          "| waiter woken, across nodes",
          "| waiter woken, one durable node"
        }) {
      assertThat(report.lines().filter(l -> l.startsWith(row)).findFirst())
          .as(row + " in\n" + report)
          .hasValueSatisfying(l -> assertThat(l).matches(".*\\| [0-9][0-9,.]* \\|.*"));
    }
  }
}
