package org.dittofs.metadata.runnable;

import java.io.IOException;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * The runnable jar started the way an operator starts it ({@code java -jar dittofs-lock.jar} in a
 * working directory), on a free HTTP port, with its shell reading commands from a pipe that the
 * test writes to; closing the pipe (Ctrl-D) stops it. Not thread-safe: one test thread drives it.
 */
final class RunningServer implements AutoCloseable {
  static final Path JAR = Path.of(System.getProperty("runnable.jar", "target/dittofs-lock.jar"));
  private static final Duration WAIT = Duration.ofSeconds(60);

  private final Process process;
  private final OutputStream stdin;
  private final Path out;
  private final Path err;
  private final int port;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private RunningServer(Process process, Path out, Path err, int port) {
    this.process = process;
    this.stdin = process.getOutputStream();
    this.out = out;
    this.err = err;
    this.port = port;
  }

  /** Runs the jar once to the end (a script or {@code demo}); returns its exit code. */
  static int runToEnd(Path dir, String... args) throws IOException, InterruptedException {
    List<String> command = command(0);
    command.addAll(List.of(args));
    Process p =
        new ProcessBuilder(command)
            .directory(dir.toFile())
            .redirectOutput(dir.resolve("run-" + args[0] + ".out").toFile())
            .redirectError(dir.resolve("run-" + args[0] + ".err").toFile())
            .start();
    p.getOutputStream().close();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("the runnable did not stop within 120 s");
    }
    return p.exitValue();
  }

  /** Starts the interactive server in {@code dir} and waits until its HTTP answers. */
  static RunningServer start(Path dir) throws IOException, InterruptedException {
    return start(dir, "server");
  }

  /**
   * Starts the interactive server in {@code dir} with {@code properties} ({@code -Dname=value}) on
   * its command line before {@code -jar}, as an operator types them, and waits until its HTTP
   * answers. Its output goes to {@code <name>.out} and {@code <name>.err} in {@code dir}.
   */
  static RunningServer start(Path dir, String name, String... properties)
      throws IOException, InterruptedException {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Path out = dir.resolve(name + ".out");
    Path err = dir.resolve(name + ".err");
    Process p =
        new ProcessBuilder(command(port, properties))
            .directory(dir.toFile())
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .start();
    RunningServer server = new RunningServer(p, out, err, port);
    server.awaitHttp("/metrics", r -> r.statusCode() == 200);
    return server;
  }

  private static List<String> command(int port, String... properties) {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    List<String> command = new ArrayList<>(List.of(java.toString()));
    command.addAll(List.of(properties));
    command.addAll(List.of("-Ddittofs.http.port=" + port, "-jar", JAR.toAbsolutePath().toString()));
    return command;
  }

  String base() {
    return "http://localhost:" + port;
  }

  /**
   * Types a shell command and waits until its output containing {@code expect} appears.
   *
   * @return the output since the command was typed
   */
  String shell(String command, String expect) throws IOException, InterruptedException {
    return type(command, "'" + expect + "'", since -> since.contains(expect) ? since : null);
  }

  /**
   * Types a shell command and waits until its whole answer is there: {@code expect} in it, then the
   * next prompt after it (the shell prints the prompt once the command's output is complete).
   *
   * @return the output since the command was typed, up to that prompt
   */
  String answer(String command, String expect) throws IOException, InterruptedException {
    return type(
        command,
        "'" + expect + "' and prompt",
        since -> {
          int at = since.indexOf(expect);
          int prompt = at < 0 ? -1 : since.indexOf(ShellMain.PROMPT, at + expect.length());
          return prompt < 0 ? null : since.substring(0, prompt);
        });
  }

  /**
   * Types {@code command} and polls the output since then until {@code done} answers it (non-null),
   * failing after {@link #WAIT} with what was awaited ({@code what}) and that output.
   */
  private String type(String command, String what, UnaryOperator<String> done)
      throws IOException, InterruptedException {
    int seen = output().length();
    stdin.write((command + "\n").getBytes(StandardCharsets.UTF_8));
    stdin.flush();
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (true) {
      String since = output().substring(seen);
      String answer = done.apply(since);
      if (answer != null) {
        return answer;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            "no " + what + " after '" + command + "' within " + WAIT + ":\n" + since);
      }
      Thread.sleep(50);
    }
  }

  String output() throws IOException {
    return Files.readString(out, StandardCharsets.UTF_8);
  }

  /** What the server logged so far (its standard error: "LEVEL logger: message" lines). */
  String log() throws IOException {
    return Files.readString(err, StandardCharsets.UTF_8);
  }

  /** The exit code, once the server has stopped ({@link #close}). */
  int exitValue() {
    return process.exitValue();
  }

  HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(URI.create(base() + path)).timeout(Duration.ofSeconds(30)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** Polls {@code path} until the answer satisfies {@code done}; returns that answer. */
  HttpResponse<String> awaitHttp(String path, Predicate<HttpResponse<String>> done)
      throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    String last = "nothing";
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new AssertionError("the runnable exited with " + process.exitValue());
      }
      try {
        HttpResponse<String> r = get(path);
        if (done.test(r)) {
          return r;
        }
        last = r.statusCode() + " " + r.body();
      } catch (IOException e) {
        last = e.toString();
      }
      Thread.sleep(100);
    }
    throw new AssertionError("GET " + path + " did not get there within " + WAIT + ": " + last);
  }

  /** Ends the shell's input (Ctrl-D): the runnable stops cleanly. */
  @Override
  public void close() throws IOException, InterruptedException {
    try {
      stdin.close();
    } catch (IOException e) {
      // already gone
    }
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("the runnable did not stop within 60 s of end of input");
    }
  }
}
