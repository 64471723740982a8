package org.dittofs.metadata.reliability;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The child's side of the line protocol: every line goes to the process's standard output in one
 * {@code write(2)} of at most a few hundred bytes (atomic on a pipe), unbuffered, so that a line
 * written before a SIGKILL is in the pipe and reaches the parent, and no line is ever torn. A
 * request is journalled before the call ({@code REQ}), its answer after the call returned ({@code
 * ACK}). Thread-safe: lines of different threads are serialized by this object's monitor, so their
 * order in the pipe is the real-time order of the writes.
 */
final class Journal {
  private final FileOutputStream out = new FileOutputStream(FileDescriptor.out);

  /** {@code REQ <thread> <seq> <op>}. */
  void request(int thread, long seq, Op op) {
    line("REQ " + thread + " " + seq + " " + op.encode());
  }

  /** {@code ACK <thread> <seq> <ack>}. */
  void acknowledge(int thread, long seq, Ack ack) {
    line("ACK " + thread + " " + seq + " " + ack.encode());
  }

  synchronized void line(String text) {
    try {
      out.write((text + "\n").getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("the parent stopped reading", e);
    }
  }
}
