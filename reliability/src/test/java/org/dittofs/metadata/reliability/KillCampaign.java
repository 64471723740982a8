package org.dittofs.metadata.reliability;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.dittofs.metadata.reliability.ReclaimPlan.Reclaim;

/**
 * Kills a service process with SIGKILL at random moments of its traffic, restarts it over the same
 * database and checks what came back (issue 10, item 2). One life of the service:
 *
 * <ol>
 *   <li>start; after a kill, the service restores and is in grace: the records in memory must be
 *       the store's, and each thread's restored state one of the {@link Ledger#candidates}: no
 *       acknowledged, unreleased record missing, nothing else than releases not yet landed or the
 *       request in flight;
 *   <li>every thread reclaims what it was acknowledged; each answer must be the one {@link
 *       ReclaimPlan} predicts from the restored records; then every client declares its reclaims
 *       complete and grace must have ended;
 *   <li>after grace, memory == store == what was reclaimed: no released record is back;
 *   <li>the threads run random traffic until the next kill.
 * </ol>
 *
 * The kill moments come from a seeded random (printed); the interleaving of the threads does not
 * replay.
 */
final class KillCampaign {
  private final List<String> store;
  private final Path log;
  private final int threads;
  private final Random random;
  private final Ledger ledger;
  private final KillFigures figures;

  /**
   * @param store the service process's store arguments ({@code h2 <dir>}, {@code postgres <url>})
   */
  KillCampaign(String name, List<String> store, Path log, int threads, long seed) {
    this.store = store;
    this.log = log;
    this.threads = threads;
    this.random = new Random(seed);
    this.figures = new KillFigures(name);
    Answers answers = new Answers(false, figures::fail);
    this.ledger =
        new Ledger(
            threads,
            (op, ack) -> {
              figures.acknowledged++;
              answers.accept(op, ack);
            });
  }

  KillFigures run(int kills) {
    ChildProcess child = start(false);
    try {
      child.command("ANCHOR", this::unexpected);
      for (int k = 0; k < kills; k++) {
        child.command("RUN " + random.nextLong(), this::unexpected);
        sleep(100 + random.nextInt(1400));
        int exit = child.kill(this::unexpected);
        if (exit != 137) {
          figures.fail("kill " + (k + 1) + ": exit value " + exit + ", not 137 (SIGKILL)");
        }
        figures.kills++;
        child = start(true);
        recover(child, k + 1);
      }
      int exit = child.exit();
      if (exit != 0) {
        figures.fail("the last life did not close cleanly: exit value " + exit);
      }
    } finally {
      child.close();
    }
    return figures;
  }

  private ChildProcess start(boolean afterKill) {
    List<String> args = new ArrayList<>(store);
    args.add(Integer.toString(threads));
    args.add("600"); // grace: ended by the reclaim-complete declarations, never by the timer
    ChildProcess c = ChildProcess.start(args, log, ledger);
    String ready = c.await("READY", this::unexpected);
    boolean grace = Boolean.parseBoolean(ready.split(" ")[2]);
    if (grace != afterKill) {
      figures.fail("started " + (afterKill ? "after a kill" : "fresh") + " with grace " + grace);
    }
    return c;
  }

  /** Checks the restored state, reclaims, ends grace and checks again. */
  private void recover(ChildProcess child, int kill) {
    Snapshot restored = dump(child, "kill " + kill + ", restored");
    for (int t = 0; t < threads; t++) {
      checkRestored(kill, t, restored.thread(t));
    }
    List<ThreadState> reclaimed = reclaim(child, kill, restored);
    child.command("COMPLETE", this::unexpected);
    if (!child.command("GRACE", this::unexpected).equals("DONE GRACE false")) {
      figures.fail("kill " + kill + ": grace still runs after every client declared completion");
    }
    String settled = child.command("SETTLE 60000", this::unexpected);
    if (!settled.startsWith("DONE SETTLE 0 ")) {
      figures.fail("kill " + kill + ": writes of the end of grace did not land: " + settled);
    }
    Snapshot after = dump(child, "kill " + kill + ", after grace");
    for (int t = 0; t < threads; t++) {
      ThreadState held = after.thread(t);
      int back = held.extraOver(reclaimed.get(t));
      figures.backAfterGrace += back;
      if (back > 0 || !reclaimed.get(t).matches(held)) {
        figures.fail(
            "kill "
                + kill
                + ", thread "
                + t
                + ": after grace "
                + held
                + ", reclaimed "
                + reclaimed.get(t));
      }
      ledger.restart(t, reclaimed.get(t));
    }
  }

  private void checkRestored(int kill, int t, ThreadState restored) {
    Op inflight = ledger.inflight(t);
    ThreadState acknowledged = ledger.acknowledged(t);
    List<ThreadState> candidates = ledger.candidates(t);
    figures.lost += acknowledged.lostIn(restored, inflight);
    if (inflight != null) {
      figures.inflight++;
    }
    int at = ledger.unlanded(t); // candidates: landed, ..., acknowledged (at), in flight (at + 1)
    if (candidates.get(at).matches(restored)) {
      return;
    }
    if (candidates.size() > at + 1 && candidates.get(at + 1).matches(restored)) {
      figures.inflightLanded++;
      return;
    }
    for (int i = 0; i < at; i++) {
      if (candidates.get(i).matches(restored)) {
        figures.releasesNotLanded++;
        return;
      }
    }
    figures.fail(
        "kill "
            + kill
            + ", thread "
            + t
            + ": restored "
            + restored
            + " is none of the states the store may hold; acknowledged "
            + acknowledged
            + ", in flight "
            + inflight
            + ", releases not known to have landed "
            + at);
  }

  private List<ThreadState> reclaim(ChildProcess child, int kill, Snapshot restored) {
    List<ThreadState> reclaimed = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      reclaimed.add(new ThreadState());
    }
    List<Reclaim> plan = ReclaimPlan.of(ledger, restored);
    plan.forEach(r -> child.send(r.command()));
    for (Reclaim r : plan) {
      String[] w = child.await("RESULT", this::unexpected).split(" ");
      figures.reclaims++;
      boolean granted = w[1].equals("OK");
      String got = granted ? "granted" : String.join(" ", List.of(w).subList(1, w.length));
      String want = r.granted() ? "granted" : "ERR " + r.failure();
      if (!got.equals(want)) {
        figures.fail(
            "kill " + kill + ": " + r.command() + " answered " + got + ", expected " + want);
      }
      if (granted) {
        reclaimed.get(r.thread()).apply(r.op(), w.length > 2 ? w[2] : null);
      } else {
        figures.reclaimsRefused++;
      }
    }
    return reclaimed;
  }

  private Snapshot dump(ChildProcess child, String when) {
    Snapshot s = new Snapshot();
    String done = child.command("DUMP", s::add);
    if (!done.equals("DONE DUMP 0")) {
      figures.fail(when + ": " + done + " (expected no pending store write)");
    }
    s.problems().forEach(p -> figures.fail(when + ": " + p));
    return s;
  }

  private void unexpected(String line) {
    figures.fail("unexpected line from the service process: " + line);
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
