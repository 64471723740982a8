package org.dittofs.metadata.reliability;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.dittofs.metadata.FileRecord;
import org.dittofs.metadata.FileType;
import org.dittofs.metadata.Share;
import org.dittofs.metadata.host.MetadataManager;
import org.dittofs.metadata.host.MetadataServices;
import org.dittofs.metadata.lock.LockFlavour;
import org.dittofs.metadata.lock.LockingMode;
import org.dittofs.metadata.lock.host.LockConfig;
import org.dittofs.metadata.lock.host.LockManager;
import org.dittofs.metadata.lock.spi.LockQuery;
import org.dittofs.metadata.lock.spi.PersistedLock;
import org.dittofs.metadata.spi.MetadataStore;
import org.dittofs.metadata.store.h2.H2Stores;
import org.dittofs.metadata.store.postgres.PostgresStores;

/**
 * The child JVM: the metadata service over a real store, client threads, and a command loop on
 * standard input. Everything it says goes through the {@link Journal} on standard output: {@code
 * READY <epoch> <grace>} once the service started, the client threads' {@code REQ}/{@code ACK}
 * lines, {@code RESULT} lines of reclaims, {@code REC} lines of dumps and {@code DONE <command>}
 * when a command finished. Logs go to standard error.
 *
 * <p>Arguments: {@code h2 <directory>} or {@code postgres <jdbc-url>}, then the number of client
 * threads and the grace period in seconds.
 *
 * <p>Commands: {@code ANCHOR} (each thread takes its anchor byte), {@code RUN <seed>}, {@code
 * PAUSE} (stops the threads once their request in flight is answered), {@code SETTLE <millis>}
 * (waits until no store write is pending), {@code DUMP} (the records in memory and in the store),
 * {@code RECLAIM ...}, {@code COMPLETE} (every client declares its reclaims complete), {@code
 * GRACE}, {@code EXIT} (clean close).
 */
public final class ServiceProcess {
  private final MetadataStore store;
  private final MetadataManager service;
  private final LockManager locks;
  private final Journal journal = new Journal();
  private final ClientThread[] clients;
  private final List<Thread> running = new ArrayList<>();
  private final Reclaimer reclaimer;

  private ServiceProcess(MetadataStore store, int threads, Duration grace) {
    this.store = store;
    LockConfig config =
        LockConfig.builder()
            .gracePeriod(grace)
            .storeRetryInterval(Duration.ofMillis(100))
            .lockTimeout(Duration.ofSeconds(5))
            .build();
    this.service = MetadataServices.over(store).config(config).start();
    this.locks = service.lockManager();
    this.clients = new ClientThread[threads];
    for (int i = 0; i < threads; i++) {
      clients[i] = new ClientThread(i, locks, journal, 0);
    }
    this.reclaimer = new Reclaimer(locks, journal);
  }

  public static void main(String[] args) throws Exception {
    MetadataStore store =
        switch (args[0]) {
          case "h2" -> H2Stores.open(Path.of(args[1]));
          case "postgres" -> PostgresStores.open(args[1], "postgres", null);
          default -> throw new IllegalArgumentException("unknown store " + args[0]);
        };
    ServiceProcess p =
        new ServiceProcess(
            store, Integer.parseInt(args[2]), Duration.ofSeconds(Long.parseLong(args[3])));
    p.prepareFiles();
    p.journal.line("READY " + p.locks.epoch() + " " + p.locks.graceStatus().active());
    p.serve();
  }

  private void prepareFiles() {
    if (service.share(Identities.SHARE).isEmpty()) {
      service.putShare(new Share(Identities.SHARE, LockingMode.ADVISORY));
    }
    for (String f : Identities.ALL_FILES) {
      if (service.file(Identities.handle(f)).isEmpty()) {
        service.putFile(
            new FileRecord(Identities.handle(f), Identities.SHARE, f, null, FileType.FILE, 0));
      }
    }
  }

  private void serve() throws Exception {
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String line;
    while ((line = in.readLine()) != null) {
      String[] w = line.split(" ");
      switch (w[0]) {
        case "ANCHOR" -> anchor();
        case "RUN" -> run(Long.parseLong(w[1]));
        case "PAUSE" -> pause();
        case "SETTLE" -> settle(Long.parseLong(w[1]));
        case "DUMP" -> dump();
        case "RECLAIM" -> reclaimer.reclaim(w);
        case "COMPLETE" -> reclaimer.completeAll(clients.length);
        case "GRACE" -> journal.line("DONE GRACE " + locks.graceStatus().active());
        case "EXIT" -> {
          pause();
          service.close();
          if (store instanceof AutoCloseable c) {
            c.close();
          }
          journal.line("DONE EXIT");
          return;
        }
        default -> journal.line("DONE UNKNOWN " + line);
      }
    }
  }

  private void anchor() {
    for (int i = 0; i < clients.length; i++) {
      clients[i].execute(
          Op.lock(
              LockFlavour.POSIX,
              Identities.ANCHOR,
              org.dittofs.metadata.lock.ByteRange.span(i, 1),
              org.dittofs.metadata.lock.LockType.EXCLUSIVE));
    }
    journal.line("DONE ANCHOR");
  }

  private void run(long seed) {
    for (int i = 0; i < clients.length; i++) {
      ClientThread old = clients[i];
      clients[i] = new ClientThread(i, locks, journal, seed * 1_000_003L + i);
      clients[i].continueFrom(old.lastSeq());
      Thread t = new Thread(clients[i], "client-" + i);
      running.add(t);
      t.start();
    }
    journal.line("DONE RUN");
  }

  private void pause() throws InterruptedException {
    for (ClientThread c : clients) {
      c.stop();
    }
    for (Thread t : running) {
      t.join();
    }
    running.clear();
    journal.line("DONE PAUSE");
  }

  private void settle(long millis) throws InterruptedException {
    long start = System.nanoTime();
    long deadline = start + millis * 1_000_000L;
    while (locks.pendingStoreWrites() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    journal.line(
        "DONE SETTLE "
            + locks.pendingStoreWrites()
            + " "
            + (System.nanoTime() - start) / 1_000_000L);
  }

  private void dump() {
    for (String f : Identities.ALL_FILES) {
      locks
          .locks(Identities.handle(f))
          .forEach(l -> journal.line("REC MEM " + StoredRecord.of(PersistedLock.of(l)).encode()));
      locks
          .opens(Identities.handle(f))
          .forEach(o -> journal.line("REC MEM " + StoredRecord.of(PersistedLock.of(o)).encode()));
    }
    try {
      store
          .inTransaction(tx -> tx.locks().listLocks(LockQuery.all()))
          .forEach(r -> journal.line("REC STORE " + StoredRecord.of(r).encode()));
      journal.line("DONE DUMP " + locks.pendingStoreWrites());
    } catch (RuntimeException e) {
      journal.line("DONE DUMP-FAILED " + e.getClass().getSimpleName());
    }
  }
}
