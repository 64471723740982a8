package org.dittofs.metadata.store.postgres.cluster;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A cluster node in a child JVM ({@link NodeMain}) with the test's class path, driven line by line.
 * Its standard error goes to a log file under {@code target/cluster-logs}. Not thread-safe: one
 * test thread talks to a node.
 */
final class NodeProcess implements AutoCloseable {
  /** Longest wait for one answer: a node that does not answer fails the test, never hangs it. */
  private static final long ANSWER_SECONDS = 120;

  private final String node;
  private final Process process;
  private final Writer in;
  private final BlockingQueue<String> answers = new LinkedBlockingQueue<>();
  private final Path log;

  private NodeProcess(String node, Process process, Path log) {
    this.node = node;
    this.process = process;
    this.log = log;
    this.in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader out =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = out.readLine()) != null) {
                  if (line.startsWith("@ ")) {
                    answers.add(line.substring(2));
                  }
                }
              } catch (IOException e) {
                // the process ended
              }
              answers.add("EXITED");
            },
            "node-" + node + "-stdout");
    reader.setDaemon(true);
    reader.start();
  }

  /**
   * Starts node {@code node} over the database at {@code url} and waits until it has joined; {@code
   * options} go to its JVM (system properties of {@link NodeMain}).
   */
  static NodeProcess start(String url, String user, String node, String... options) {
    try {
      Path logs = Path.of("target", "cluster-logs");
      Files.createDirectories(logs);
      Path log = logs.resolve(node + "-" + System.nanoTime() + ".log");
      List<String> cmd = new ArrayList<>();
      cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      cmd.add("-Xmx160m");
      cmd.add("-XX:+UseSerialGC");
      cmd.add("-XX:TieredStopAtLevel=1");
      cmd.addAll(List.of(options));
      cmd.add("-cp");
      cmd.add(
          System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")));
      cmd.add(NodeMain.class.getName());
      cmd.add(url);
      cmd.add(user);
      cmd.add(node);
      Process p =
          new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.to(log.toFile())).start();
      NodeProcess n = new NodeProcess(node, p, log);
      String ready = n.answer("start");
      if (!ready.startsWith("READY")) {
        n.process.destroyForcibly();
        throw new IllegalStateException(
            "node " + node + " did not start (" + ready + "); see " + log.toAbsolutePath());
      }
      return n;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  String node() {
    return node;
  }

  /** Sends one command and returns the node's answer. */
  String send(String line) {
    try {
      in.write(line + "\n");
      in.flush();
    } catch (IOException e) {
      throw new IllegalStateException("node " + node + " is gone; see " + log.toAbsolutePath(), e);
    }
    return answer(line);
  }

  private String answer(String line) {
    try {
      String a = answers.poll(ANSWER_SECONDS, TimeUnit.SECONDS);
      if (a == null || a.equals("EXITED")) {
        throw new IllegalStateException(
            "node "
                + node
                + (a == null ? " did not answer '" : " exited before answering '")
                + line
                + "'; see "
                + log.toAbsolutePath());
      }
      return a;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Kills the node's JVM at once (SIGKILL), as a crash. */
  void kill() {
    process.destroyForcibly();
  }

  /** Stops the node cleanly (it leaves the cluster) and waits for its JVM to end. */
  @Override
  public void close() {
    try {
      if (process.isAlive()) {
        in.write("quit\n");
        in.flush();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
          process.destroyForcibly();
        }
      }
    } catch (IOException e) {
      process.destroyForcibly();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}
