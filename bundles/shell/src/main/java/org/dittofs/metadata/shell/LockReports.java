package org.dittofs.metadata.shell;

import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.dittofs.metadata.lock.GraceStatus;
import org.dittofs.metadata.lock.Lock;
import org.dittofs.metadata.lock.LockClient;
import org.dittofs.metadata.lock.host.ClientInfo;
import org.dittofs.metadata.lock.host.LockManager;
import org.dittofs.metadata.lock.host.LockMetrics;
import org.dittofs.metadata.lock.spi.ClusterNode;

/** The text the {@code lock:*} commands print for what they look at. */
final class LockReports {
  private LockReports() {}

  /** One file's locks; records from an earlier epoch than {@code currentEpoch} are restored. */
  static String locks(List<Lock> locks, long currentEpoch) {
    return locks(locks, currentEpoch, null);
  }

  /**
   * As {@link #locks(List, long)}; in cluster mode ({@code nodes} not null) with the node each
   * lock's client belongs to ({@code -} for a client registered nowhere, such as an NLM host).
   */
  static String locks(List<Lock> locks, long currentEpoch, Map<LockClient, String> nodes) {
    Tables t =
        nodes == null
            ? new Tables("OWNER", "RANGE", "TYPE", "FLAVOUR", "CLIENT", "ID", "")
            : new Tables("OWNER", "RANGE", "TYPE", "FLAVOUR", "CLIENT", "NODE", "ID", "");
    for (Lock l : locks) {
      String restored = l.epoch() < currentEpoch ? "restored (epoch " + l.epoch() + ")" : "";
      if (nodes == null) {
        t.row(l.owner(), l.range(), l.type(), l.flavour(), l.client(), l.id(), restored);
      } else {
        t.row(
            l.owner(),
            l.range(),
            l.type(),
            l.flavour(),
            l.client(),
            nodes.getOrDefault(l.client(), "-"),
            l.id(),
            restored);
      }
    }
    return t.render("  ");
  }

  /** The nodes of a cluster ({@code cluster:nodes}), this one marked. */
  static String nodes(List<ClusterNode> nodes, String self) {
    Tables t = new Tables("NODE", "STATE", "SINCE", "HEARTBEAT", "JOINS", "CLIENTS");
    for (ClusterNode n : nodes) {
      t.row(
          n.node() + (n.node().equals(self) ? " *" : ""),
          n.live() ? "live" : "gone",
          n.startedAt(),
          ago(n.heartbeatAt()),
          n.incarnation(),
          n.clients());
    }
    return t.render("");
  }

  static String clients(List<ClientInfo> clients) {
    if (clients.isEmpty()) {
      return "no clients\n";
    }
    Tables t = new Tables("CLIENT", "REGISTERED", "COURTESY", "LOCKS", "LAST SEEN");
    clients.stream()
        .sorted(Comparator.comparing(c -> c.client().toString()))
        .forEach(
            c ->
                t.row(
                    c.client(),
                    c.connected() ? "yes" : "no",
                    c.courtesy() ? "yes" : "no",
                    c.locks(),
                    ago(c.lastSeen())));
    return t.render("");
  }

  static String grace(GraceStatus g, long epoch) {
    if (!g.active()) {
      return "grace period: not active (server epoch "
          + epoch
          + "); new locks are granted"
          + (g.restoredRecords() > 0
              ? "; last one restored "
                  + g.restoredRecords()
                  + " records, "
                  + g.reclaimedRecords()
                  + " reclaimed"
              : "");
    }
    String expected =
        g.expectedClients().stream()
            .map(LockClient::toString)
            .sorted()
            .collect(Collectors.joining(", "));
    return "grace period: ACTIVE, "
        + g.remaining().toSeconds()
        + " s left (server epoch "
        + epoch
        + ")\n  restored "
        + count(g.restoredRecords(), "record")
        + " from the store, "
        + g.reclaimedRecords()
        + " reclaimed so far\n  expected clients: "
        + expected
        + " ("
        + g.completedClients().size()
        + " declared complete)\n  new locks are refused until it ends; reclaims are accepted";
  }

  /**
   * The manager's state now, then the event counters and wait times of {@code s}; zero values only
   * with {@code all}.
   */
  static String stats(LockManager m, LockMetrics.Snapshot s, Instant since, boolean all) {
    StringBuilder b = new StringBuilder();
    b.append("now: ")
        .append(count(m.lockCount(), "lock"))
        .append(" held, ")
        .append(count(m.clientCount(), "client"))
        .append(", grace ")
        .append(m.graceStatus().active() ? "active" : "not active")
        .append(", ")
        .append(m.pendingStoreWrites())
        .append(" store writes pending\n");
    b.append("events since the shell attached at ")
        .append(since)
        .append(all ? ":\n" : " (zeros hidden; lock:stats --all shows them):\n");
    Tables t = new Tables("METRIC", "VALUE");
    new TreeMap<>(s.counters())
        .forEach(
            (k, v) -> {
              if (all || v != 0) {
                t.row(k, v);
              }
            });
    for (Map.Entry<String, LockMetrics.Histogram> e : new TreeMap<>(s.histograms()).entrySet()) {
      LockMetrics.Histogram h = e.getValue();
      if (h.count() > 0) {
        t.row(
            e.getKey(),
            "count="
                + h.count()
                + " avg="
                + micros(h.sumNanos() / h.count())
                + " max="
                + micros(h.maxNanos()));
      } else if (all) {
        t.row(e.getKey(), "count=0");
      }
    }
    return b.append(t.isEmpty() ? "  (no events yet)\n" : t.render("  ")).toString();
  }

  static String count(long n, String noun) {
    return n + " " + noun + (n == 1 ? "" : "s");
  }

  private static String ago(Instant t) {
    Duration d = Duration.between(t, Instant.now());
    return d.isNegative() ? "now" : d.toSeconds() + " s ago";
  }

  private static String micros(long nanos) {
    return (nanos / 1000) + " us";
  }
}
