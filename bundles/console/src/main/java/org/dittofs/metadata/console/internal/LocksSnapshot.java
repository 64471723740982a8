package org.dittofs.metadata.console.internal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.dittofs.metadata.lock.FileHandle;
import org.dittofs.metadata.lock.GraceStatus;
import org.dittofs.metadata.lock.Lock;
import org.dittofs.metadata.lock.host.ClientInfo;
import org.dittofs.metadata.lock.host.LockManager;

/**
 * What the page shows, read once per request from the lock manager's snapshots (each file is read
 * atomically, the whole table is not: a file may change between two reads).
 *
 * @param store the type of the bound store, null while none is bound
 * @param target the configured {@code store.target}, null if not configured
 * @param available the registered stores, sorted by type
 * @param manager the lock state, null while the service has no lock manager (no store yet)
 * @param now when the snapshot was taken (for ages)
 */
record LocksSnapshot(
    String store, String target, List<StoreInfo> available, Manager manager, Instant now) {

  /** A registered store. */
  record StoreInfo(String type, int ranking) {}

  /** A file with its locks and waiters, by display name. */
  record FileState(String name, List<Lock> locks, List<Lock> waiters) {}

  /** The lock manager's state. */
  record Manager(
      long epoch,
      long lockCount,
      GraceStatus grace,
      List<FileState> files,
      List<ClientInfo> clients,
      int pendingWrites) {}

  /** Reads the lock manager's state: files by name, clients by id. */
  static Manager read(LockManager m) {
    List<FileState> files = new ArrayList<>();
    for (FileHandle f : m.files()) {
      List<Lock> locks = m.locks(f);
      List<Lock> waiters = m.waiters(f);
      if (!locks.isEmpty() || !waiters.isEmpty()) {
        files.add(new FileState(display(f), locks, waiters));
      }
    }
    files.sort(Comparator.comparing(FileState::name));
    List<ClientInfo> clients = new ArrayList<>(m.clients());
    clients.sort(Comparator.comparing(c -> c.client().toString()));
    return new Manager(
        m.epoch(), m.lockCount(), m.graceStatus(), files, clients, m.pendingStoreWrites());
  }

  /** The name of a handle if its bytes are printable UTF-8, else {@code 0x<hex>}. */
  static String display(FileHandle handle) {
    return handle.text().orElseGet(() -> "0x" + handle.toHex());
  }
}
