package org.dittofs.metadata.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The database goes away under traffic (issue 10, item 3), {@value #RUNS_PROPERTY} runs of each
 * scenario (1 by default, more in the soak profile); each run is an {@link OutageRun}:
 *
 * <ul>
 *   <li>PostgreSQL stops abruptly ({@code pg_ctl stop -m immediate}) and is restarted over the same
 *       data directory after six seconds (longer than the store's pool waits for a connection);
 *   <li>PostgreSQL terminates the service's connections server-side ({@code pg_terminate_backend})
 *       for three seconds, aiming at backends in the middle of a {@code COMMIT} (and now and then
 *       at every backend of the database, the idle pooled ones included);
 *   <li>H2 cannot write its file for three seconds. The tests run as root, which file permissions
 *       do not stop, and H2 keeps its file open, which a permission change would not reach anyway:
 *       the service process's file size limit ({@code RLIMIT_FSIZE}) is set to 0 with {@code
 *       prlimit} (util-linux), so that every write(2) to a regular file fails with EFBIG, root's
 *       included, and raised again afterwards. The JVM ignores the SIGXFSZ that comes with it.
 * </ul>
 */
class DatabaseOutageTest extends FaultTestSupport {
  static final String RUNS_PROPERTY = "dittofs.outage.runs";

  /**
   * Longer than the PostgreSQL store's pool connection timeout (5 s), so that attempts time out.
   */
  private static final long DATABASE_DOWN_MILLIS = 6000;

  private static final long FAULT_MILLIS = 3000;

  private static final AtomicInteger databases = new AtomicInteger();

  @Test
  void postgresImmediateShutdown() throws Exception {
    runs(
        "postgres immediate shutdown",
        DATABASE_DOWN_MILLIS,
        this::postgresStore,
        new OutageRun.Fault() {
          @Override
          public void begin(long service) {
            postgres.crash();
          }

          @Override
          public void end(long service) {
            postgres.restart();
          }
        });
  }

  @Test
  void postgresBackendsTerminatedMidCommit() throws Exception {
    AtomicInteger terminated = new AtomicInteger();
    runs(
        "postgres backends terminated",
        FAULT_MILLIS,
        this::postgresStore,
        new OutageRun.Fault() {
          private final AtomicBoolean on = new AtomicBoolean();
          private Thread killer;

          @Override
          public void begin(long service) {
            on.set(true);
            killer = new Thread(() -> terminate(on, terminated), "pg_terminate_backend");
            killer.start();
          }

          @Override
          public void end(long service) throws InterruptedException {
            on.set(false);
            killer.join();
          }
        });
    assertThat(terminated.get()).as("backends terminated").isPositive();
  }

  @Test
  void h2FileUnwritable() throws Exception {
    runs(
        "h2 file unwritable",
        FAULT_MILLIS,
        () ->
            List.of(
                "h2",
                Files.createDirectories(dir.resolve("h2-" + databases.incrementAndGet()))
                    .toString()),
        new OutageRun.Fault() {
          @Override
          public void begin(long service) throws Exception {
            prlimit(service, "0:unlimited");
          }

          @Override
          public void end(long service) throws Exception {
            prlimit(service, "unlimited:unlimited");
          }
        });
  }

  /** A store for one run. */
  private interface StoreArgs {
    List<String> next() throws IOException;
  }

  private List<String> postgresStore() {
    String db = "outage_" + databases.incrementAndGet();
    postgres.createDatabase(db);
    return List.of("postgres", postgres.url(db));
  }

  private void runs(String scenario, long outageMillis, StoreArgs store, OutageRun.Fault fault)
      throws Exception {
    int runs = Integer.getInteger(RUNS_PROPERTY, 1);
    int diverged = 0;
    long refused = 0;
    long slowestRefusal = 0;
    long slowestRelease = 0;
    long slowestRecovery = 0;
    for (int i = 0; i < runs; i++) {
      long seed = ThreadLocalRandom.current().nextLong();
      Path log = Path.of("target", "reliability-outage-" + scenario.replace(' ', '-') + ".log");
      OutageRun.Figures f = OutageRun.run(scenario, store.next(), log, fault, outageMillis, seed);
      System.out.println("run " + (i + 1) + "/" + runs + ", seed " + seed + ": " + f);
      diverged += f.diverged() ? 1 : 0;
      refused += f.answers.unavailable;
      slowestRefusal = Math.max(slowestRefusal, f.answers.slowestUnavailableMillis);
      slowestRelease = Math.max(slowestRelease, f.answers.slowestReleaseMillis);
      slowestRecovery = Math.max(slowestRecovery, f.recoveryMillis);
      assertThat(f.failures).as("%s, run %d (child log %s)", scenario, i + 1, log).isEmpty();
      assertThat(f.answers.unavailable)
          .as("grants refused with STORE_UNAVAILABLE: the fault must have been felt")
          .isPositive();
    }
    System.out.println(
        scenario
            + ": "
            + runs
            + " runs, "
            + diverged
            + " with divergence, "
            + refused
            + " grants refused with STORE_UNAVAILABLE, slowest refusal "
            + slowestRefusal
            + " ms, slowest release "
            + slowestRelease
            + " ms, grants served again at most "
            + slowestRecovery
            + " ms after the database was back");
  }

  private static void terminate(AtomicBoolean on, AtomicInteger terminated) {
    String db = "outage_" + databases.get();
    long round = 0;
    while (on.get()) {
      String which =
          round++ % 50 == 0
              ? "true"
              : "state = 'active' AND (query ILIKE 'commit%' OR wait_event IN ('WALSync', 'WALWrite'))";
      terminated.addAndGet(postgres.terminate(db, which));
      try {
        Thread.sleep(2);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private static void prlimit(long pid, String limits) throws Exception {
    Process p =
        new ProcessBuilder("prlimit", "--pid", Long.toString(pid), "--fsize=" + limits)
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException("prlimit --fsize=" + limits + " failed (util-linux): " + out);
    }
  }
}
