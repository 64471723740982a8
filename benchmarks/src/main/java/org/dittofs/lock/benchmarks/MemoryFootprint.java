package org.dittofs.lock.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.ref.Reference;
import org.dittofs.metadata.lock.FileHandle;
import org.dittofs.metadata.lock.LockClient;
import org.dittofs.metadata.lock.LockOwner;
import org.dittofs.metadata.lock.LockType;
import org.dittofs.metadata.lock.host.LockManager;

/**
 * (g) Retained heap per held lock. Run in a JVM of its own (the suite starts one per measurement,
 * with the serial collector so that "used after a full collection" is exact):
 *
 * <pre>
 * java -XX:+UseSerialGC -Xmx3g -cp benchmarks.jar org.dittofs.lock.benchmarks.MemoryFootprint \
 *     IMPL SHAPE LOCKS FILES
 * </pre>
 *
 * IMPL is {@code dittofs} or {@code baseline}; SHAPE is {@code owner-per-file} (one owner holds all
 * the locks of a file: 100 owners, file f belongs to owner f mod 100) or {@code owners-per-file}
 * (every lock of a file has another owner: 100 owners each holding one range of every file). Either
 * way the file holds LOCKS/FILES POSIX locks on disjoint, non-touching ranges, alternately SHARED
 * and EXCLUSIVE, granted through {@code lock} one by one by 10 clients.
 *
 * <p>The figure is (heap used after a full collection with the table built) minus (the same before
 * it was created), divided by LOCKS: everything the table retains, records and indexes, including
 * the client and owner bookkeeping, but not the handles, owners and clients the caller holds
 * anyway. Prints one line: {@code FOOTPRINT impl=.. shape=.. locks=.. bytes=.. perLock=..}.
 */
public final class MemoryFootprint {
  private MemoryFootprint() {}

  public static void main(String[] args) {
    String impl = args[0];
    String shape = args[1];
    int locks = Integer.parseInt(args[2]);
    int files = Integer.parseInt(args[3]);
    long bytes = measure(impl, shape, locks, files);
    System.out.printf(
        "FOOTPRINT impl=%s shape=%s locks=%d bytes=%d perLock=%.1f%n",
        impl, shape, locks, bytes, (double) bytes / locks);
  }

  static long measure(String impl, String shape, int locks, int files) {
    int perFile = locks / files;
    FileHandle[] handles = new FileHandle[files];
    for (int f = 0; f < files; f++) {
      handles[f] = Fixtures.file("mem-" + f);
    }
    LockOwner[] owners = new LockOwner[100];
    for (int o = 0; o < owners.length; o++) {
      owners[o] = Fixtures.owner("mem-" + o);
    }
    LockClient[] clients = new LockClient[10];
    for (int c = 0; c < clients.length; c++) {
      clients[c] = Fixtures.client("mem-" + c);
    }
    boolean onePerFile =
        switch (shape) {
          case "owner-per-file" -> true;
          case "owners-per-file" -> false;
          default -> throw new IllegalArgumentException("unknown shape " + shape);
        };
    long before = usedAfterGc();
    Table table = Table.of(impl);
    for (int f = 0; f < files; f++) {
      for (int k = 0; k < perFile; k++) {
        int o = onePerFile ? f % owners.length : k % owners.length;
        LockType type = k % 2 == 0 ? LockType.SHARED : LockType.EXCLUSIVE;
        Fixtures.granted(
            table.lock(
                Fixtures.posix(
                    handles[f], owners[o], clients[o % clients.length], type, Fixtures.slot(k))));
      }
    }
    long after = usedAfterGc();
    if (table.manager().isPresent()) {
      LockManager lm = table.manager().get();
      if (lm.lockCount() != (long) perFile * files) {
        throw new IllegalStateException("holds " + lm.lockCount() + " locks");
      }
    }
    Reference.reachabilityFence(table);
    Reference.reachabilityFence(handles);
    Reference.reachabilityFence(owners);
    Reference.reachabilityFence(clients);
    return after - before;
  }

  private static long usedAfterGc() {
    MemoryMXBean mx = ManagementFactory.getMemoryMXBean();
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 5; i++) {
      System.gc();
      long u = mx.getHeapMemoryUsage().getUsed();
      if (u >= used) {
        return Math.min(u, used);
      }
      used = u;
    }
    return used;
  }
}
