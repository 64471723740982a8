package org.dittofs.metadata.store.postgres.cluster;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.dittofs.metadata.store.postgres.PostgresServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A randomized differential test: random operations of every kind the cluster serves (locks and
 * multi-range locks of both flavours, blocking requests with their answers and cancels, releases,
 * tests, opens, downgrades, closes, I/O checks) by 8 owners on 3 files, each sent to a random node
 * of a cluster in child JVMs, against the single-node reference fed the same sequence ({@link
 * ClusterHarness}): every answer must be the same, and every 20 operations the whole state of every
 * file (locks in order, opens), read through a random node. An owner's operations go to different
 * nodes, so every node works on state another node made. Ranges are drawn from a few offsets around
 * 0 and around 2^64-1, so most operations meet others. The seed is printed; {@code
 * -Ddittofs.cluster.seed=N} replays one, {@code -Ddittofs.cluster.ops=N} changes the length
 * (default 600 per cluster size).
 */
@ExtendWith(PostgresServer.class)
class ClusterDifferentialTest {
  private static final String[] OWNERS = {"P0", "P1", "P2", "P3", "W0", "W1", "W2", "W3"};
  private static final long[] OFFSETS = {0, 1, 2, 3, 5, 8, 9, 10, 16, 17, 32, -3L, -2L, -1L};

  @Test
  void twoNodesAnswerAsOne() {
    run(2);
  }

  @Test
  void threeNodesAnswerAsOne() {
    run(3);
  }

  private static void run(int nodes) {
    long seed = Long.getLong("dittofs.cluster.seed", System.nanoTime());
    int ops = Integer.getInteger("dittofs.cluster.ops", 1000);
    System.out.println(
        "ClusterDifferentialTest " + nodes + " nodes: seed " + seed + ", " + ops + " operations");
    Random rnd = new Random(seed);
    String prefix = "d" + nodes + "s" + Long.toHexString(seed & 0xffffff) + "f";
    try (ClusterHarness h = ClusterHarness.start("differential_" + nodes, nodes)) {
      List<String> opened = new ArrayList<>(); // "#n file owner"
      List<String> blocked = new ArrayList<>(); // "handle node": where each blocking request waits
      for (int i = 1; i <= ops; i++) {
        int node = rnd.nextInt(nodes);
        String file = prefix + rnd.nextInt(3);
        int kind = rnd.nextInt(100);
        if (kind < 8) { // a blocking request, long enough never to time out here
          String handle = "h" + i;
          String a =
              h.on(node, "block " + handle + " " + request(rnd, file).substring(5) + " 600000");
          if (!a.startsWith("ERROR")) { // refused at once (DEADLOCK, ...): nothing to answer later
            blocked.add(handle + " " + node);
          }
          continue;
        }
        if (kind < 14 && !blocked.isEmpty()) { // its answer, at its node
          String[] b = blocked.get(rnd.nextInt(blocked.size())).split(" ");
          if (kind < 12) {
            h.awaitOn(Integer.parseInt(b[1]), b[0], java.time.Duration.ofSeconds(30));
          } else {
            h.on(Integer.parseInt(b[1]), "cancel " + b[0]);
          }
          continue;
        }
        String cmd = command(rnd, file, opened);
        String answer = h.on(node, cmd);
        if (answer.startsWith("OPEN ")) {
          opened.add(answer.substring(5) + " " + file);
        }
        if (i % 20 == 0) {
          for (int f = 0; f < 3; f++) {
            h.on(rnd.nextInt(nodes), "locks " + prefix + f);
            h.on(rnd.nextInt(nodes), "opens " + prefix + f);
          }
        }
      }
    } catch (AssertionError e) {
      throw new AssertionError("seed " + seed + ": " + e.getMessage(), e);
    }
  }

  /** A {@code lock} command of a random owner (its flavour), type and range. */
  private static String request(Random rnd, String file) {
    return locking("lock", rnd, OWNERS[rnd.nextInt(OWNERS.length)], file);
  }

  /**
   * A {@code lock} or {@code test} command of {@code owner} (its flavour), random type and range.
   */
  private static String locking(String verb, Random rnd, String owner, String file) {
    boolean windows = owner.startsWith("W");
    return String.join(
        " ",
        verb,
        owner,
        "c" + owner,
        file,
        windows ? "windows" : "posix",
        type(rnd),
        range(rnd, windows));
  }

  private static String command(Random rnd, String file, List<String> opened) {
    String owner = OWNERS[rnd.nextInt(OWNERS.length)];
    String client = "c" + owner;
    boolean windows = owner.startsWith("W");
    String flavour = windows ? "windows" : "posix";
    int kind = rnd.nextInt(100);
    if (kind < 35) {
      return locking("lock", rnd, owner, file);
    }
    if (kind < 60) {
      return "unlock " + owner + " " + file + " " + flavour + " " + range(rnd, windows);
    }
    if (kind < 68) {
      return locking("test", rnd, owner, file);
    }
    if (kind < 72 && windows) {
      StringBuilder b =
          new StringBuilder("lockall " + owner + " " + client + " " + file + " windows");
      for (int n = 1 + rnd.nextInt(3); n > 0; n--) {
        b.append(' ').append(type(rnd)).append(' ').append(range(rnd, true));
      }
      return b.toString();
    }
    if (kind < 75 && windows) {
      StringBuilder b = new StringBuilder("unlockall " + owner + " " + file + " windows");
      for (int n = 1 + rnd.nextInt(2); n > 0; n--) {
        b.append(' ').append(range(rnd, true));
      }
      return b.toString();
    }
    if (kind < 82) {
      return "open " + owner + " " + client + " " + file + " " + modes(rnd) + " " + modes(rnd);
    }
    if (kind < 88 && !opened.isEmpty()) {
      String[] o = opened.get(rnd.nextInt(opened.size())).split(" ");
      return rnd.nextBoolean()
          ? "close " + o[1] + " " + o[0]
          : "downgrade " + o[1] + " " + o[0] + " " + modes(rnd) + " " + modes(rnd);
    }
    return (rnd.nextBoolean() ? "checkread " : "checkwrite ")
        + owner
        + " "
        + file
        + " "
        + range(rnd, false)
        + " "
        + (rnd.nextBoolean() ? "advisory" : "mandatory");
  }

  private static String type(Random rnd) {
    return rnd.nextInt(3) == 0 ? "exclusive" : "shared";
  }

  private static String range(Random rnd, boolean windows) {
    long a = OFFSETS[rnd.nextInt(OFFSETS.length)];
    if (windows && rnd.nextInt(8) == 0) {
      return "@" + Long.toUnsignedString(a);
    }
    long b = OFFSETS[rnd.nextInt(OFFSETS.length)];
    long first = Long.compareUnsigned(a, b) <= 0 ? a : b;
    long last = Long.compareUnsigned(a, b) <= 0 ? b : a;
    return Long.toUnsignedString(first) + "-" + Long.toUnsignedString(last);
  }

  private static String modes(Random rnd) {
    String[] m = {"-", "R", "W", "D", "RW", "RD", "WD", "RWD"};
    return m[rnd.nextInt(m.length)];
  }
}
