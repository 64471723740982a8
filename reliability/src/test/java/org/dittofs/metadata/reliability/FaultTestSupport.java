package org.dittofs.metadata.reliability;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the fault tests share: a scratch directory per test class (H2 databases, the PostgreSQL data
 * directory) and a durable PostgreSQL server ({@link DurablePostgres}) started before the class and
 * stopped after it.
 */
abstract class FaultTestSupport {
  @TempDir static Path dir;
  static DurablePostgres postgres;

  @BeforeAll
  static void startPostgres() {
    postgres = DurablePostgres.start(dir.resolve("pgdata"));
  }

  @AfterAll
  static void stopPostgres() {
    if (postgres != null) {
      postgres.close();
      postgres = null;
    }
  }
}
