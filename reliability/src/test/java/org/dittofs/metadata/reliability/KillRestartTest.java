package org.dittofs.metadata.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;

/**
 * Real kills on real stores (issue 10, item 2): the metadata service runs in a child JVM over H2
 * and over a durable PostgreSQL, with client threads whose every acknowledgement reaches this test
 * as it happens; the test kills the child with SIGKILL at random moments, restarts it over the same
 * database, and checks what came back ({@link KillCampaign}).
 *
 * <p>{@value #KILLS_PROPERTY} kills per store (5 by default, 100 in the soak profile); {@value
 * #SEED_PROPERTY} replays the kill moments of a run (each run prints its seed).
 */
class KillRestartTest extends FaultTestSupport {
  static final String KILLS_PROPERTY = "dittofs.kills";
  static final String SEED_PROPERTY = "dittofs.kill.seed";
  static final int THREADS = 4;

  @Test
  void acknowledgedStateSurvivesKillsOverH2() throws Exception {
    Path db = Files.createDirectories(dir.resolve("h2"));
    campaign("h2", List.of("h2", db.toString()));
  }

  @Test
  void acknowledgedStateSurvivesKillsOverPostgres() {
    postgres.createDatabase("kills");
    campaign("postgres", List.of("postgres", postgres.url("kills")));
  }

  private static void campaign(String name, List<String> store) {
    int kills = Integer.getInteger(KILLS_PROPERTY, 5);
    long seed = Long.getLong(SEED_PROPERTY, ThreadLocalRandom.current().nextLong());
    System.out.println(
        "kills over "
            + name
            + ": seed "
            + seed
            + " (replay with -D"
            + SEED_PROPERTY
            + "="
            + seed
            + ")");
    Path log = Path.of("target", "reliability-" + name + "-kills.log");
    KillFigures f = new KillCampaign(name, store, log, THREADS, seed).run(kills);
    System.out.println(f);
    assertThat(f.failures).as("failed checks (child log: %s)", log).isEmpty();
    assertThat(f.kills).isEqualTo(kills);
    assertThat(f.lost).as("acknowledged records lost").isZero();
    assertThat(f.backAfterGrace).as("records back after grace").isZero();
  }
}
