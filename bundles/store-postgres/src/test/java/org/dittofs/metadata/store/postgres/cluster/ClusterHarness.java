package org.dittofs.metadata.store.postgres.cluster;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.dittofs.metadata.lock.host.LockManager;
import org.dittofs.metadata.lock.host.LockManagers;
import org.dittofs.metadata.store.postgres.PostgresServer;

/**
 * A cluster of nodes in child JVMs over one database, beside a single in-process lock manager (the
 * reference: the single-node implementation). {@link #on} sends a command to one node and the same
 * command to the reference, and fails unless both answer the same: the cluster, whose history is
 * the sequence of commands in the order they were answered, must behave exactly as one node fed
 * that sequence.
 *
 * <p>Opens are named {@code #n} in commands and answers: each side's real open id is substituted.
 * Not thread-safe.
 */
final class ClusterHarness implements AutoCloseable {
  private final List<NodeProcess> nodes;
  private final LockManager reference = LockManagers.builder().build();
  private final Map<String, String> clusterOpens = new HashMap<>();
  private final Map<String, String> referenceOpens = new HashMap<>();
  private final Map<String, org.dittofs.metadata.lock.PendingLock> referencePending =
      new HashMap<>();
  private final List<String> history = new ArrayList<>();
  private int opens;

  private ClusterHarness(List<NodeProcess> nodes) {
    this.nodes = nodes;
  }

  /**
   * Starts {@code count} nodes (n0, n1, ...) over database {@code database}, in parallel, each JVM
   * with {@code options}.
   */
  static ClusterHarness start(String database, int count, String... options) {
    String url = PostgresServer.url(database);
    ExecutorService pool = Executors.newFixedThreadPool(count);
    List<Future<NodeProcess>> started = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String node = "n" + i;
      started.add(pool.submit(() -> NodeProcess.start(url, PostgresServer.user(), node, options)));
    }
    List<NodeProcess> nodes = new ArrayList<>();
    try {
      for (Future<NodeProcess> f : started) {
        nodes.add(f.get());
      }
    } catch (Exception e) {
      nodes.forEach(NodeProcess::close);
      throw new IllegalStateException("the cluster did not start", e);
    } finally {
      pool.shutdown();
    }
    return new ClusterHarness(nodes);
  }

  int size() {
    return nodes.size();
  }

  NodeProcess node(int i) {
    return nodes.get(i);
  }

  /**
   * Runs {@code command} at node {@code node} and on the reference; fails unless both answer the
   * same. Returns the answer.
   */
  String on(int node, String command) {
    String answer = nodes.get(node).send(substitute(command, clusterOpens));
    String expected =
        NodeCommands.run(reference, referencePending, substitute(command, referenceOpens));
    if (answer.startsWith("OPEN ") && expected.startsWith("OPEN ")) {
      String handle = "#" + (++opens);
      clusterOpens.put(handle, answer.substring(5));
      referenceOpens.put(handle, expected.substring(5));
      answer = "OPEN " + handle;
      expected = answer;
    }
    return agreed(node, command, answer, expected);
  }

  /**
   * The answer of blocking request {@code handle} at node {@code node} and on the reference. The
   * reference answers at once; the cluster's answer may still be on its way to the node (a waiter
   * granted by another node is answered after a notification), so the node is given up to {@code
   * patience} when the reference's request is done, and none when it is still pending.
   */
  String awaitOn(int node, String handle, java.time.Duration patience) {
    String expected = NodeCommands.run(reference, referencePending, "await " + handle + " 0");
    long millis = expected.equals("PENDING") ? 1 : patience.toMillis();
    String answer = nodes.get(node).send("await " + handle + " " + millis);
    return agreed(node, "await " + handle, answer, expected);
  }

  /** Notes {@code command} in the history; fails unless the node's answer is the reference's. */
  private String agreed(int node, String command, String answer, String expected) {
    history.add("n" + node + "  " + command + "  ->  " + expected);
    if (!answer.equals(expected)) {
      throw new AssertionError(
          "node n"
              + node
              + " answered\n  "
              + answer
              + "\nwhere one node answers\n  "
              + expected
              + "\nto: "
              + command
              + "\n"
              + history());
    }
    return answer;
  }

  /** The commands run so far (the last 60), one per line, for failure messages. */
  String history() {
    int from = Math.max(0, history.size() - 60);
    StringBuilder b = new StringBuilder("history (" + history.size() + " commands):\n");
    for (int i = from; i < history.size(); i++) {
      b.append("  ").append(i + 1).append(". ").append(history.get(i)).append('\n');
    }
    return b.toString();
  }

  /** The real open id behind {@code #n} at the cluster, for commands sent to a node alone. */
  String clusterOpen(String handle) {
    return clusterOpens.get(handle);
  }

  private static String substitute(String command, Map<String, String> opens) {
    if (command.indexOf('#') < 0) {
      return command;
    }
    StringBuilder b = new StringBuilder();
    for (String w : command.split(" +")) {
      b.append(b.length() == 0 ? "" : " ").append(w.startsWith("#") ? opens.get(w) : w);
    }
    return b.toString();
  }

  @Override
  public void close() {
    nodes.forEach(NodeProcess::close);
    reference.close();
  }
}
