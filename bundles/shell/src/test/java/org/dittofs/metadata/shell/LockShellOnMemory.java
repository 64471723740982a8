package org.dittofs.metadata.shell;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.dittofs.metadata.host.MetadataManager;
import org.dittofs.metadata.host.MetadataServices;
import org.dittofs.metadata.store.memory.MemoryMetadataStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * Tests of the lock commands on a metadata service over a fresh memory store, started before and
 * closed after each test; what the commands print goes to {@link #out}, read by {@link #output()}.
 */
abstract class LockShellOnMemory {
  protected final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
  protected final PrintStream out = new PrintStream(buffer, true, StandardCharsets.UTF_8);
  protected MetadataManager service;
  protected LockShell lock;

  @BeforeEach
  final void startService() {
    service = MetadataServices.over(new MemoryMetadataStore()).start();
    lock = new LockShell(service);
  }

  @AfterEach
  final void stopService() {
    lock.deactivate();
    service.close();
  }

  /** What the commands printed since the last call. */
  protected final String output() {
    String s = buffer.toString(StandardCharsets.UTF_8);
    buffer.reset();
    return s;
  }
}
