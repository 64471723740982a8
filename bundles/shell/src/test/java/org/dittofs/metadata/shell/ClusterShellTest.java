package org.dittofs.metadata.shell;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.dittofs.metadata.host.MetadataManager;
import org.dittofs.metadata.host.MetadataServices;
import org.dittofs.metadata.lock.spi.LockCluster;
import org.dittofs.metadata.lock.testing.InMemoryLockCluster;
import org.dittofs.metadata.spi.ClusteredMetadataStore;
import org.dittofs.metadata.spi.ForwardingMetadataStore;
import org.dittofs.metadata.store.memory.MemoryMetadataStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The shell on a node of a cluster (docs/cluster.md): {@code lock:list} shows the node each lock's
 * client belongs to, {@code cluster:nodes} the nodes; on a single node {@code cluster:nodes} says
 * so and {@code lock:list} has no node column.
 */
class ClusterShellTest {
  private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
  private final PrintStream out = new PrintStream(buffer, true, StandardCharsets.UTF_8);
  private final InMemoryLockCluster cluster = new InMemoryLockCluster();
  private final MetadataManager s0 = node("n0");
  private final MetadataManager s1 = node("n1");
  private final LockShell shell0 = new LockShell(s0);
  private final LockShell shell1 = new LockShell(s1);

  /** A memory store whose lock records are shared through the cluster, for one node. */
  private static final class Node extends ForwardingMetadataStore
      implements ClusteredMetadataStore {
    private final LockCluster lockCluster;

    Node(LockCluster lockCluster) {
      super(new MemoryMetadataStore());
      this.lockCluster = lockCluster;
    }

    @Override
    public LockCluster lockCluster() {
      return lockCluster;
    }
  }

  private MetadataManager node(String id) {
    return MetadataServices.over(new Node(cluster.node(id))).start();
  }

  @AfterEach
  void stop() {
    shell0.deactivate();
    shell1.deactivate();
    s0.close();
    s1.close();
  }

  private String output() {
    String s = buffer.toString(StandardCharsets.UTF_8);
    buffer.reset();
    return s;
  }

  @Test
  void listShowsTheNodeOfEachLocksClientAndNodesListsTheCluster() {
    s1.lockManager().registerClient(LockArgs.clientOf("alice"), "10.0.0.1", null);
    shell1.acquire(out, "alice", "report.txt", "0", "10");
    shell0.acquire(out, "bob", "report.txt", "20", "10");
    assertThat(output()).contains("GRANTED").doesNotContain("REFUSED");

    shell0.list(out, "report.txt");
    String list = output();
    assertThat(list).contains("NODE");
    assertThat(list.lines().filter(l -> l.contains("alice")).findFirst().orElseThrow())
        .contains(" n1 ");
    assertThat(list.lines().filter(l -> l.contains("bob")).findFirst().orElseThrow())
        .contains(" - "); // bob's client never registered: it belongs to no node

    shell0.nodes(out);
    String nodes = output();
    assertThat(nodes).startsWith("this node: n0, cluster epoch 1, grace not active\n");
    assertThat(nodes.lines().filter(l -> l.startsWith("n0 *")).findFirst()).isPresent();
    assertThat(nodes.lines().filter(l -> l.startsWith("n1 ")).findFirst().orElseThrow())
        .contains("live")
        .endsWith("1");
  }

  @Test
  void aSingleNodeHasNoNodesAndNoNodeColumn() {
    MetadataManager single = MetadataServices.over(new MemoryMetadataStore()).start();
    LockShell shell = new LockShell(single);
    try {
      shell.nodes(out);
      assertThat(output()).startsWith("not a cluster node");
      shell.acquire(out, "alice", "report.txt", "0", "10");
      output();
      shell.list(out, "report.txt");
      assertThat(output()).doesNotContain("NODE");
    } finally {
      shell.deactivate();
      single.close();
    }
  }
}
