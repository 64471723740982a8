package org.dittofs.metadata.reliability;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One run of traffic across a database outage (issue 10, item 3): the service process runs its
 * client threads; the database goes away for a while and comes back, with the traffic running
 * throughout; then the traffic stops, the queued writes must land, and memory, store and the
 * acknowledged state must be one and the same.
 *
 * <p>During the run every answer is checked by {@link Answers}: grants succeed, are denied, or fail
 * with STORE_UNAVAILABLE, none hangs; releases never fail; grants are granted again once the
 * database is back. At the end no store write may be pending once the database is back ({@code
 * SETTLE}), memory must equal the store record for record (same ids: no duplicate, no lost record)
 * and each thread's records must be exactly what it was acknowledged: a grant that failed changed
 * nothing, a release that was acknowledged landed.
 */
final class OutageRun {
  /** Switches the fault on and off. */
  interface Fault {
    /** Takes the database away; {@code service} is the pid of the service process. */
    void begin(long service) throws Exception;

    /** Brings it back. */
    void end(long service) throws Exception;
  }

  /** What one run measured. */
  static final class Figures {
    final String scenario;
    final List<String> failures = new ArrayList<>();
    Answers answers;
    long recoveryMillis;
    long settleMillis;

    Figures(String scenario) {
      this.scenario = scenario;
    }

    boolean diverged() {
      return !failures.isEmpty();
    }

    @Override
    public String toString() {
      return scenario
          + ": "
          + answers.grants
          + " grants, "
          + answers.unavailable
          + " refused with STORE_UNAVAILABLE (slowest refusal "
          + answers.slowestUnavailableMillis
          + " ms), "
          + answers.releases
          + " releases (slowest "
          + answers.slowestReleaseMillis
          + " ms), slowest call "
          + answers.slowest
          + ", queued writes landed "
          + settleMillis
          + " ms after the traffic stopped, failed checks: "
          + failures.size();
    }
  }

  static final int THREADS = 4;

  private OutageRun() {}

  /**
   * Runs traffic for a second, the fault for {@code outageMillis}, traffic until a grant is granted
   * again and two more seconds, then checks.
   */
  static Figures run(
      String scenario, List<String> store, Path log, Fault fault, long outageMillis, long seed)
      throws Exception {
    Figures f = new Figures(scenario);
    f.answers = new Answers(true, f.failures::add);
    Ledger ledger = new Ledger(THREADS, f.answers::accept);
    List<String> args = new ArrayList<>(store);
    args.add(Integer.toString(THREADS));
    args.add("600");
    try (ChildProcess child = ChildProcess.start(args, log, ledger)) {
      child.await("READY", l -> f.failures.add("unexpected: " + l));
      child.command("ANCHOR", l -> f.failures.add("unexpected: " + l));
      child.command("RUN " + seed, l -> f.failures.add("unexpected: " + l));
      Thread.sleep(1000);
      fault.begin(child.pid());
      try {
        Thread.sleep(outageMillis);
      } finally {
        fault.end(child.pid());
      }
      long back = System.nanoTime();
      child.mark(f.answers::recovering);
      while (f.answers.grantedSinceRecovery <= 0
          && System.nanoTime() - back < TimeUnit.MILLISECONDS.toNanos(Answers.HANG_MILLIS)) {
        child.command("GRACE", l -> f.failures.add("unexpected: " + l)); // reads what came so far
        Thread.sleep(50);
      }
      f.recoveryMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - back);
      if (f.answers.grantedSinceRecovery <= 0) {
        f.failures.add(
            "no grant granted within " + f.recoveryMillis + " ms of the database's return");
      }
      Thread.sleep(2000);
      child.command("PAUSE", l -> f.failures.add("unexpected: " + l));
      String[] settled = child.command("SETTLE 60000", l -> {}).split(" ");
      f.settleMillis = Long.parseLong(settled[3]);
      if (!settled[2].equals("0")) {
        f.failures.add(settled[2] + " store writes still pending a minute after the outage");
      }
      Snapshot s = new Snapshot();
      String dumped = child.command("DUMP", s::add);
      if (!dumped.equals("DONE DUMP 0")) {
        f.failures.add("dump: " + dumped);
      }
      f.failures.addAll(s.problems());
      for (int t = 0; t < THREADS; t++) {
        ThreadState held = s.thread(t);
        if (!ledger.acknowledged(t).matches(held)) {
          f.failures.add(
              "thread " + t + ": store holds " + held + ", acknowledged " + ledger.acknowledged(t));
        }
      }
      int exit = child.exit();
      if (exit != 0) {
        f.failures.add("the service did not close cleanly: exit value " + exit);
      }
    }
    return f;
  }
}
