package org.dittofs.lock.benchmarks;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs the whole suite and prints the table of figures, baselines, ratios and targets:
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar [--smoke] [--only=REGEX] [--no-memory] [--out=DIR]
 * </pre>
 *
 * <ol>
 *   <li>starts one durable PostgreSQL server (fsync, synchronous_commit and full_page_writes on)
 *       and a work directory, both handed to the JMH forks in system properties;
 *   <li>runs every JMH benchmark of this module (iterations and forks as their annotations say),
 *       writing JMH's JSON to {@code DIR/jmh-result.json};
 *   <li>measures the memory footprint (g) in one fresh JVM per implementation and layout;
 *   <li>prints the report and writes it to {@code DIR/results.md}.
 * </ol>
 *
 * {@code --smoke} is the build's check that all of this still works: one fork, no warm-up, one
 * iteration of 100 ms, small sizes, a few benchmark methods. {@code DIR} defaults to {@code
 * results} beside the jar (or beside the classes directory). Single benchmarks can also be run with
 * JMH's own main: {@code java -cp benchmarks.jar org.openjdk.jmh.Main REGEX}.
 */
public final class Suite {
  /** The figures of the issue; the smoke run uses small ones instead. */
  static final int MEMORY_LOCKS = 1_000_000;

  static final int MEMORY_FILES = 10_000;

  static final String[] SHAPES = {"owner-per-file", "owners-per-file"};

  private Suite() {}

  /** What to run. */
  record Settings(boolean smoke, String only, boolean memory, Path out) {
    static Settings parse(String... args) {
      boolean smoke = false;
      boolean memory = true;
      String only = null;
      Path out = null;
      for (String a : args) {
        if (a.equals("--smoke")) {
          smoke = true;
        } else if (a.equals("--no-memory")) {
          memory = false;
        } else if (a.startsWith("--only=")) {
          only = a.substring("--only=".length());
        } else if (a.startsWith("--out=")) {
          out = Path.of(a.substring("--out=".length()));
        } else {
          throw new IllegalArgumentException(
              "usage: [--smoke] [--only=REGEX] [--no-memory] [--out=DIR]; unknown: " + a);
        }
      }
      return new Settings(smoke, only, memory, out == null ? defaultOut() : out);
    }
  }

  public static void main(String[] args) throws Exception {
    Settings s;
    try {
      s = Settings.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    }
    Report report = run(s);
    System.out.println();
    System.out.println(report.markdown());
    System.out.println("written to " + s.out().resolve("results.md"));
  }

  /** Runs the suite and returns its report (also written to {@code out/results.md}). */
  static Report run(Settings s) throws IOException, RunnerException, InterruptedException {
    Files.createDirectories(s.out());
    Path work = Files.createTempDirectory("dittofs-bench-work");
    Report report = new Report(s.smoke());
    report.loadBefore(ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    try (Postgres pg = Postgres.start()) {
      Collection<RunResult> results = new Runner(options(s, pg, work).build()).run();
      results.forEach(report::add);
    } finally {
      Fixtures.deleteTree(work);
    }
    if (s.memory()) {
      int locks = s.smoke() ? 10_000 : MEMORY_LOCKS;
      int files = s.smoke() ? 100 : MEMORY_FILES;
      String heap = s.smoke() ? "256m" : "3g";
      for (String shape : s.smoke() ? new String[] {SHAPES[0]} : SHAPES) {
        for (String impl : new String[] {Fixtures.DITTOFS, Fixtures.BASELINE}) {
          report.addMemory(impl, shape, locks, files, footprint(impl, shape, locks, files, heap));
        }
      }
    }
    report.loadAfter(ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    Files.writeString(s.out().resolve("results.md"), report.markdown(), StandardCharsets.UTF_8);
    return report;
  }

  private static ChainedOptionsBuilder options(Settings s, Postgres pg, Path work) {
    List<String> jvm = new ArrayList<>();
    jvm.add("-D" + Postgres.PORT_PROPERTY + "=" + pg.port());
    jvm.add("-D" + RestartBenchmark.WORKDIR_PROPERTY + "=" + work);
    if (s.smoke()) {
      // C1 only: on a small machine the forks start faster and compile less; figures are not kept
      jvm.add("-XX:TieredStopAtLevel=1");
    }
    ChainedOptionsBuilder o =
        new OptionsBuilder()
            .jvmArgsPrepend(jvm.toArray(String[]::new))
            .resultFormat(ResultFormatType.JSON)
            .result(s.out().resolve("jmh-result.json").toString());
    String pkg = Suite.class.getPackageName().replace(".", "\\.") + "\\.";
    String smokeSet =
        pkg
            + "(LockTableBenchmark\\.lockUnlock"
            + "|ThroughputBenchmark\\.disjoint2"
            + "|DurableBenchmark\\.(managed8|raw1)"
            + "|SwapBenchmark\\..*|RestartBenchmark\\..*)$";
    o.include(s.only() != null ? s.only() : s.smoke() ? smokeSet : pkg + ".*Benchmark\\..*");
    if (s.smoke()) {
      o.param("n", "10")
          .param("locks", "1000")
          .param("files", "10")
          .param("rewrite", "true")
          .forks(1)
          .warmupIterations(0)
          .measurementIterations(1)
          .measurementTime(TimeValue.milliseconds(100))
          .timeout(TimeValue.seconds(60));
    }
    return o;
  }

  /** Runs {@link MemoryFootprint} in a fresh JVM and returns its bytes per lock. */
  static double footprint(String impl, String shape, int locks, int files, String heap)
      throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-XX:+UseSerialGC");
    cmd.add("-Xms" + heap);
    cmd.add("-Xmx" + heap);
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(MemoryFootprint.class.getName());
    cmd.add(impl);
    cmd.add(shape);
    cmd.add(Integer.toString(locks));
    cmd.add(Integer.toString(files));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    Double perLock = null;
    try (BufferedReader r =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = r.readLine()) != null; ) {
        System.out.println(line);
        if (line.startsWith("FOOTPRINT ")) {
          perLock = Double.parseDouble(line.substring(line.indexOf("perLock=") + 8));
        }
      }
    }
    if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0 || perLock == null) {
      throw new IllegalStateException("memory footprint run failed: " + cmd);
    }
    return perLock;
  }

  private static Path defaultOut() {
    try {
      Path code = Path.of(Suite.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      return code.getParent().resolve("results");
    } catch (URISyntaxException | RuntimeException e) {
      return Path.of("results");
    }
  }
}
