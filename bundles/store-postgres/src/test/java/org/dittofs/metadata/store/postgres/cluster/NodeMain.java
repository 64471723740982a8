package org.dittofs.metadata.store.postgres.cluster;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.dittofs.metadata.host.MetadataManager;
import org.dittofs.metadata.host.MetadataServices;
import org.dittofs.metadata.lock.host.LockConfig;
import org.dittofs.metadata.store.jdbc.ClusteredJdbcStore;
import org.dittofs.metadata.store.jdbc.JdbcLockCluster;
import org.dittofs.metadata.store.postgres.PostgresStores;

/**
 * One cluster node in a child JVM of a test ({@link NodeProcess}): a metadata service over the
 * PostgreSQL cluster store, driven by the command lines of {@link NodeCommands} (and {@link
 * MutualExclusion}'s {@code exclusive} load) read from standard input. Each answer is one line on
 * standard output starting with {@code "@ "}; logs go to standard error. An answer {@code FAILED
 * ...} is an exception the command language does not expect (a bug, not a refusal).
 *
 * <p>Arguments: the JDBC URL, the database user, the node id. System properties {@code
 * dittofs.lease.seconds} (the lease time, default the contract's) and {@code
 * dittofs.heartbeat.millis} (the node's heartbeat, default the store's) shorten what the node-loss
 * tests wait for; {@code dittofs.grace.seconds}, {@code dittofs.total.max} and {@code
 * dittofs.client.max} set the grace period and the total and per-client limits (defaults: the
 * contract's).
 */
public final class NodeMain {
  private NodeMain() {}

  public static void main(String[] args) throws Exception {
    String url = args[0];
    String user = args[1];
    String node = args[2];
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    Duration heartbeat =
        Duration.ofMillis(
            Long.getLong("dittofs.heartbeat.millis", JdbcLockCluster.DEFAULT_HEARTBEAT.toMillis()));
    LockConfig config =
        LockConfig.DEFAULTS.toBuilder()
            .leaseTime(
                Duration.ofSeconds(
                    Long.getLong(
                        "dittofs.lease.seconds", LockConfig.DEFAULTS.leaseTime().toSeconds())))
            .gracePeriod(
                Duration.ofSeconds(
                    Long.getLong(
                        "dittofs.grace.seconds", LockConfig.DEFAULTS.gracePeriod().toSeconds())))
            .maxLocksTotal(
                Integer.getInteger("dittofs.total.max", LockConfig.DEFAULTS.maxLocksTotal()))
            .maxLocksPerClient(
                Integer.getInteger("dittofs.client.max", LockConfig.DEFAULTS.maxLocksPerClient()))
            .build();
    try (ClusteredJdbcStore store = PostgresStores.openCluster(url, user, null, node, heartbeat)) {
      MetadataManager m = MetadataServices.over(store).config(config).start();
      out.println("@ READY " + node);
      BufferedReader in =
          new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      java.util.Map<String, org.dittofs.metadata.lock.PendingLock> pending =
          new java.util.HashMap<>();
      String line;
      while ((line = in.readLine()) != null && !line.equals("quit")) {
        String answer;
        try {
          answer =
              line.startsWith("exclusive ")
                  ? MutualExclusion.run(m.lockManager(), url, user, line)
                  : NodeCommands.run(m.lockManager(), pending, line);
        } catch (RuntimeException e) {
          e.printStackTrace();
          answer = "FAILED " + e;
        }
        out.println("@ " + answer.replace('\n', ' '));
      }
      m.close();
    }
  }
}
