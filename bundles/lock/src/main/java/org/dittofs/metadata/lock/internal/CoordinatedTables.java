package org.dittofs.metadata.lock.internal;

import java.util.List;
import java.util.function.BiFunction;
import org.dittofs.metadata.lock.FileHandle;
import org.dittofs.metadata.lock.LockClient;
import org.dittofs.metadata.lock.spi.FileTransaction;
import org.dittofs.metadata.lock.spi.FileWork;
import org.dittofs.metadata.lock.spi.LockCluster;

/**
 * Cluster mode (docs/cluster.md): the run of one operation on a file when several nodes share the
 * lock space. {@link LockTables#run} hands every operation here when a {@link LockCluster} is
 * configured. Under the file table's monitor (local threads on one file still queue in memory),
 * inside {@link LockCluster#onFile} (every node's operations on the file queue there), the table is
 * brought to the file's committed version ({@link TableSync}) and the operation runs with the
 * single-node code; its writes go to the file transaction ({@link CurrentFile}) and commit before
 * it answers. Reads ({@code write} false) use {@link LockCluster#read}: the latest committed state,
 * without holding the file.
 *
 * <p>If the commit fails, memory may hold changes the database does not: the table is marked
 * unsynced (its next operation reloads it and the counters follow the difference), and what the
 * operation deferred (events, completions) is dropped, because none of it happened.
 *
 * <p>Concurrency: no state of its own besides the thread-local of {@link CurrentFile}; each table
 * and its synced version are guarded by the table's monitor, held for the whole operation, database
 * round trips included. A thread holds one table monitor and, inside it, the file's lock in the
 * database, never two of either.
 */
final class CoordinatedTables {
  private final LockCluster cluster;
  private final TableSync sync;
  private final CurrentFile current;
  private final EventBus events;
  private final LiveConfig config;
  private final WaitQueue waiting;
  private final LockTables tables;

  CoordinatedTables(
      LockCluster cluster,
      TableSync sync,
      CurrentFile current,
      EventBus events,
      LiveConfig config,
      WaitQueue waiting,
      LockTables tables) {
    this.cluster = cluster;
    this.sync = sync;
    this.current = current;
    this.events = events;
    this.config = config;
    this.waiting = waiting;
    this.tables = tables;
  }

  /**
   * Runs {@code op} on the file's current table inside the file's coordinated operation ({@code
   * write}) or on its latest committed state (a read), as {@link LockTables#run} runs it on one
   * node: the waiters are re-checked if the table changed, the table's lease timer is kept ({@link
   * LockTables#keepLeaseTimer}), and what the operation deferred runs after the monitor is
   * released.
   */
  <T> T run(FileHandle file, boolean write, BiFunction<FileLockTable, Deferred, T> op) {
    List<Runnable> after = null;
    boolean created = false;
    try {
      while (true) {
        TrafficGate gate = tables.gate();
        if (gate.isClosed()) {
          gate.awaitOpen(config.get().lockTimeout());
        }
        FileLockTable t = tables.existing(file);
        if (t == null) {
          t = tables.create(file);
          created = true;
        }
        synchronized (t) {
          if (t.isRetired() || gate.isClosed()) {
            continue;
          }
          Deferred d = t.deferred(events);
          Operation<T> o = new Operation<>(t, d, op, write);
          try {
            T result = write ? cluster.onFile(file, o) : cluster.read(file, o);
            after = d.take();
            return result;
          } catch (RuntimeException | Error e) {
            if (o.settled) {
              after = d.take(); // decided and committed: a refusal, not a failure of the store
            } else {
              d.take(); // nothing of it happened
              if (o.ran) {
                t.syncedVersion(FileLockTable.UNSYNCED);
              }
            }
            throw e;
          } finally {
            tables.keepLeaseTimer(file, t);
          }
        }
      }
    } finally {
      if (created) {
        tables.sweepIfGrown();
      }
      Deferred.run(after);
    }
  }

  /** The files where the cluster holds records of {@code client}. */
  List<FileHandle> filesOf(LockClient client) {
    return cluster.filesOf(client.id(), client.adapter());
  }

  /** One operation as the cluster runs it. Confined to the operation's thread. */
  private final class Operation<T> implements FileWork<T> {
    private final FileLockTable t;
    private final Deferred d;
    private final BiFunction<FileLockTable, Deferred, T> op;
    private final boolean write;
    boolean ran;
    boolean synced;
    boolean settled;

    Operation(
        FileLockTable t, Deferred d, BiFunction<FileLockTable, Deferred, T> op, boolean write) {
      this.t = t;
      this.d = d;
      this.op = op;
      this.write = write;
    }

    @Override
    public T run(FileTransaction tx) {
      ran = true;
      int seen = t.changes();
      current.set(tx, write);
      try {
        if (tx.version() != t.syncedVersion()) {
          t.syncedVersion(FileLockTable.UNSYNCED);
          sync.load(t, tx, write, d);
        }
        synced = true;
        return op.apply(t, d);
      } finally {
        try {
          // a read writes nothing: the node whose operation changed the queue re-checked it
          if (write && t.hasWaiters() && t.changes() != seen) {
            waiting.recheck(t, d);
          }
        } finally {
          current.clear(write);
        }
      }
    }

    @Override
    public void settled(long version) {
      settled = true;
      if (synced) {
        t.syncedVersion(version);
      }
    }
  }
}
