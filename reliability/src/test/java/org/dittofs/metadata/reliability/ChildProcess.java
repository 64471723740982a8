package org.dittofs.metadata.reliability;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The parent's handle on one {@link ServiceProcess}: a JVM started with this test's class path, its
 * standard output read line by line by a reader thread (so the pipe never fills while the test
 * waits), its standard error appended to a log file. Journal lines ({@code REQ}, {@code ACK}) go to
 * the {@link Ledger} in the order the child wrote them, whatever the test is waiting for.
 *
 * <p>{@link #kill} sends SIGKILL through {@link ProcessHandle#destroyForcibly()} (on Linux both it
 * and {@link Process#destroyForcibly()} send SIGKILL); the exit value of a process killed by signal
 * {@code n} is {@code 128 + n}, which the tests check is 137. Not {@link
 * Process#destroyForcibly()}: it also closes this side of the child's pipes, and the lines the
 * child wrote just before it died and that were not read yet would be lost. Through the handle they
 * stay in the pipe and are read to the end.
 *
 * <p>Used by one test thread.
 */
final class ChildProcess implements AutoCloseable {
  private static final String EOF = "\u0000EOF";
  private static final String MARK = "\u0000MARK";

  /** Generous: the machine is shared and slow; this only keeps a broken child from hanging. */
  static final Duration PATIENCE = Duration.ofSeconds(120);

  private final Process process;
  private final OutputStream stdin;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
  private final Ledger ledger;
  private final Writer transcript;
  private final BlockingQueue<Runnable> marks = new LinkedBlockingQueue<>();
  private boolean ended;

  private ChildProcess(Process process, Ledger ledger, Writer transcript) {
    this.process = process;
    this.stdin = process.getOutputStream();
    this.ledger = ledger;
    this.transcript = transcript;
    Thread reader = new Thread(this::read, "child-" + process.pid() + "-stdout");
    reader.setDaemon(true);
    reader.start();
  }

  /**
   * Starts a service process: {@code args} as {@link ServiceProcess#main} takes them. Its standard
   * error is appended to {@code log}; everything it says and every command it gets, to the
   * transcript next to it ({@code .journal} for {@code .log}), for the diagnosis of a failure.
   */
  static ChildProcess start(List<String> args, Path log, Ledger ledger) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx256m");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(ServiceProcess.class.getName());
    cmd.addAll(args);
    try {
      Process p =
          new ProcessBuilder(cmd)
              .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()))
              .start();
      Path journal = log.resolveSibling(log.getFileName().toString().replace(".log", ".journal"));
      Writer transcript =
          Files.newBufferedWriter(
              journal,
              StandardCharsets.UTF_8,
              StandardOpenOption.CREATE,
              StandardOpenOption.APPEND);
      transcript.write("--- service process " + p.pid() + " " + String.join(" ", args) + "\n");
      return new ChildProcess(p, ledger, transcript);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the service process", e);
    }
  }

  long pid() {
    return process.pid();
  }

  /** Sends one command line. */
  void send(String command) {
    try {
      synchronized (transcript) {
        transcript.write("> " + command + "\n");
      }
      stdin.write((command + "\n").getBytes(StandardCharsets.UTF_8));
      stdin.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("the service process does not take commands", e);
    }
  }

  /**
   * Runs {@code action} once every line the child wrote before now has gone to the ledger: it
   * divides the journal at this moment (before and after a fault, say).
   */
  void mark(Runnable action) {
    marks.add(action);
    lines.add(MARK);
  }

  /**
   * Reads lines until one starts with {@code prefix}, feeding journal lines to the ledger and every
   * other line to {@code others}.
   *
   * @return the line that starts with {@code prefix}
   * @throws IllegalStateException if the child ends first or nothing comes for {@link #PATIENCE}
   */
  String await(String prefix, Consumer<String> others) {
    while (true) {
      String line = next();
      if (line == null) {
        throw new IllegalStateException("the service process ended while waiting for " + prefix);
      }
      if (line.startsWith(prefix)) {
        return line;
      }
      others.accept(line);
    }
  }

  /** Sends a command and waits for its {@code DONE} line. */
  String command(String command, Consumer<String> others) {
    send(command);
    return await("DONE " + command.split(" ")[0], others);
  }

  /**
   * SIGKILL, then reads what the child wrote before it died to the end.
   *
   * @return the exit value (137 for SIGKILL)
   */
  int kill(Consumer<String> others) {
    process.toHandle().destroyForcibly();
    int exit = waitForExit();
    String line;
    while ((line = next()) != null) {
      others.accept(line);
    }
    return exit;
  }

  /** Sends EXIT, waits for the clean close and the end of the process. */
  int exit() {
    command("EXIT", l -> {});
    return waitForExit();
  }

  private int waitForExit() {
    try {
      if (!process.waitFor(PATIENCE.toSeconds(), TimeUnit.SECONDS)) {
        throw new IllegalStateException("the service process did not end");
      }
      return process.exitValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The next line that is not a journal line (those go to the ledger), or null at the end. */
  private String next() {
    while (!ended) {
      String line;
      try {
        line = lines.poll(PATIENCE.toSeconds(), TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
      if (line == null) {
        throw new IllegalStateException("the service process said nothing for " + PATIENCE);
      }
      if (line.equals(EOF)) {
        ended = true;
        return null;
      }
      if (line.equals(MARK)) {
        marks.remove().run();
        continue;
      }
      String[] w = line.split(" ");
      switch (w[0]) {
        case "REQ" -> ledger.request(Integer.parseInt(w[1]), Long.parseLong(w[2]), Op.decode(w, 3));
        case "ACK" ->
            ledger.acknowledge(Integer.parseInt(w[1]), Long.parseLong(w[2]), Ack.decode(w, 3));
        default -> {
          return line;
        }
      }
    }
    return null;
  }

  private void read() {
    try (BufferedReader r =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        lines.add(line);
        synchronized (transcript) {
          transcript.write(line);
          transcript.write('\n');
        }
      }
    } catch (IOException e) {
      // the pipe broke: the process is gone; what was read stays queued
    } finally {
      lines.add(EOF);
      synchronized (transcript) {
        try {
          transcript.close();
        } catch (IOException e) {
          // the transcript is for diagnosis only
        }
      }
    }
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
      waitForExit();
    }
  }
}
