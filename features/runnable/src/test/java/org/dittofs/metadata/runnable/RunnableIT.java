package org.dittofs.metadata.runnable;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the exported executable jar as the README does: the demo twice in one working directory (the
 * second run restores the first one's locks from ./data and is in grace), a script file, and the
 * interactive shell ending at end of input. Each must exit by itself with code 0.
 */
class RunnableIT {
  private static final Path JAR =
      Path.of(System.getProperty("runnable.jar", "target/dittofs-lock.jar"));

  @TempDir Path dir;

  record Run(int exit, String out, String err) {}

  private Run run(String stdin, String... args) throws IOException, InterruptedException {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    List<String> command =
        new java.util.ArrayList<>(
            List.of(
                java.toString(),
                "-Ddittofs.http.port=0", // an ephemeral port: the test needs no HTTP
                "-jar",
                JAR.toAbsolutePath().toString()));
    command.addAll(List.of(args));
    Path out = dir.resolve("out.txt");
    Path err = dir.resolve("err.txt");
    Process p =
        new ProcessBuilder(command)
            .directory(dir.toFile())
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .start();
    p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
    p.getOutputStream().close();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("the runnable did not stop within 120 s: " + Files.readString(out));
    }
    return new Run(
        p.exitValue(),
        Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }

  @Test
  void demoGrantsRefusesAndReleasesThenRestoresInGrace() throws Exception {
    Run first = run("", "demo");
    assertThat(first.exit()).as(first.out() + first.err()).isZero();
    assertThat(first.out())
        .contains("store in use: h2/main\n") // the instance h2~main the runnable configures
        .contains("target in force: (store.type=h2)\n")
        .contains("GRANTED  alice report.txt [0, 99] EXCLUSIVE POSIX")
        .contains(
            "REFUSED  bob report.txt [50, 149] SHARED POSIX: conflicts with EXCLUSIVE [0, 99]")
        .contains("RELEASED alice report.txt [40, 59] POSIX")
        .contains("would be GRANTED")
        .contains("GRANTED  erin notes.txt [0, EOF] EXCLUSIVE POSIX")
        .contains("SWAPPED  h2/main -> memory")
        .contains("SWAPPED  memory -> h2/main")
        .doesNotContain("command failed");
    // log lines are "LEVEL logger: message" (java.util.logging through slf4j-jdk14): a clean run
    // warns about nothing, its HTTP included (Jetty waits for its configuration quietly)
    assertNothingAboveInfo(first);
    assertThat(first.err()).contains("INFO org.apache.felix.http: Started Jetty");
    assertThat(first.err()).doesNotContain("not clean");
    assertThat(dir.resolve("data")).isDirectory();

    Run second = run("", "demo");
    assertThat(second.exit()).as(second.out() + second.err()).isZero();
    assertThat(second.out())
        .contains("grace period: ACTIVE")
        .contains("restored 6 records from the store")
        .contains("restored (epoch 1)")
        .contains("REFUSED  erin notes.txt [0, EOF] EXCLUSIVE POSIX: GRACE_PERIOD")
        .contains("RECLAIMED alice report.txt [0, 39] EXCLUSIVE POSIX")
        .contains("GRANTED  alice report.txt [0, 99] EXCLUSIVE POSIX");
    assertThat(second.err()).contains("grace period of").doesNotContain("not clean");
    // a run over the first run's ./data: grace is expected (INFO), nothing to warn about
    assertNothingAboveInfo(second);
    assertThat(second.err()).contains("INFO org.apache.felix.http: Started Jetty");
  }

  private static void assertNothingAboveInfo(Run run) {
    assertThat(run.err().lines())
        .as(run.err())
        .noneMatch(l -> l.startsWith("SEVERE "))
        .noneMatch(l -> l.startsWith("WARNING "));
  }

  @Test
  void runsAScriptFile() throws Exception {
    Files.writeString(
        dir.resolve("try.gosh"),
        "# a comment\nlock:acquire x f 0 eof\nlock:acquire y f 5 1 shared\nlock:nosuch\n");
    Run r = run("", "try.gosh");
    assertThat(r.out())
        .contains("g! lock:acquire x f 0 eof")
        .contains("GRANTED  x f [0, EOF] EXCLUSIVE POSIX")
        .contains("REFUSED  y f [5, 5] SHARED POSIX");
    assertThat(r.err()).contains("command failed: lock:nosuch");
    assertThat(r.exit()).isEqualTo(1);
  }

  @Test
  void interactiveShellStopsCleanlyAtEndOfInput() throws Exception {
    Run r = run("lock:acquire z f 0 1\nlock:list f\n");
    assertThat(r.exit()).as(r.out() + r.err()).isZero();
    assertThat(r.out()).contains("GRANTED  z f [0, 0] EXCLUSIVE POSIX").contains("f: 1 lock");
  }
}
