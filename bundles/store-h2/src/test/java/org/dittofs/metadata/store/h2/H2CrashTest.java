package org.dittofs.metadata.store.h2;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.dittofs.metadata.lock.spi.LockQuery;
import org.dittofs.metadata.lock.spi.PersistedLock;
import org.dittofs.metadata.store.jdbc.JdbcMetadataStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Durability: a commit that returned survives a kill -9 of the process right after it. With H2's
 * default write delay (about half a second) the last acknowledged commits would be lost.
 */
class H2CrashTest {
  private static final int ACKNOWLEDGED = 200;

  @TempDir Path dir;

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void acknowledgedCommitsSurviveAKill() throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process child =
        new ProcessBuilder(
                java,
                "-cp",
                System.getProperty("java.class.path"),
                CommitWriter.class.getName(),
                dir.toString())
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    int last = -1;
    try (BufferedReader out =
        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while (last < ACKNOWLEDGED && (line = out.readLine()) != null) {
        last = Integer.parseInt(line.substring("committed ".length()));
      }
    } finally {
      child.destroyForcibly(); // SIGKILL right after the last acknowledgement: H2 closes nothing
      child.waitFor(30, TimeUnit.SECONDS);
    }
    assertThat(last).as("commits acknowledged by the child").isGreaterThanOrEqualTo(ACKNOWLEDGED);

    try (JdbcMetadataStore store = H2Stores.open(dir)) {
      List<PersistedLock> found = store.inTransaction(tx -> tx.locks().listLocks(LockQuery.all()));
      for (int i = 0; i <= last; i++) {
        String id = "1." + i;
        assertThat(found).as("acknowledged commit %s", id).anyMatch(r -> r.id().equals(id));
      }
    }
  }
}
