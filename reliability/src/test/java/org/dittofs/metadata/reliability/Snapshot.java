package org.dittofs.metadata.reliability;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.dittofs.metadata.lock.LockFlavour;

/**
 * The records a {@code DUMP} reported: the lock manager's memory and the store, read one after the
 * other with no traffic running. {@link #problems()} lists what is wrong with them regardless of
 * any history: memory and store differ, an id twice, a record of no client thread or through the
 * wrong client, two POSIX records of one owner that overlap or that touch with the same type (the
 * manager coalesces those).
 */
final class Snapshot {
  final List<StoredRecord> memory = new ArrayList<>();
  final List<StoredRecord> store = new ArrayList<>();

  /** Takes a {@code REC MEM|STORE ...} line. */
  void add(String line) {
    String[] w = line.split(" ");
    if (!w[0].equals("REC")) {
      throw new IllegalStateException("unexpected line in a dump: " + line);
    }
    (w[1].equals("MEM") ? memory : store).add(StoredRecord.decode(w, 2));
  }

  /** Everything wrong with the dump on its own; empty if nothing. */
  List<String> problems() {
    List<String> out = new ArrayList<>();
    List<String> m = sorted(memory);
    List<String> s = sorted(store);
    if (!m.equals(s)) {
      List<String> onlyMemory = new ArrayList<>(m);
      onlyMemory.removeAll(s);
      List<String> onlyStore = new ArrayList<>(s);
      onlyStore.removeAll(m);
      out.add(
          "memory and store differ: only in memory " + onlyMemory + ", only in store " + onlyStore);
    }
    Set<String> ids = new HashSet<>();
    for (StoredRecord r : store) {
      if (!ids.add(r.id())) {
        out.add("id " + r.id() + " twice in the store");
      }
      int t = Identities.thread(r.owner());
      LockFlavour f = r.isLock() ? r.flavour() : LockFlavour.WINDOWS;
      if (t < 0 || !Identities.client(t, f).id().equals(r.clientId())) {
        out.add("record of no client thread, or through the wrong client: " + r);
      }
    }
    out.addAll(posixShape());
    return out;
  }

  /** The state of one thread's owners, from the store's records. */
  ThreadState thread(int t) {
    ThreadState s = new ThreadState();
    for (StoredRecord r : store) {
      if (Identities.thread(r.owner()) == t) {
        s.add(r);
      }
    }
    return s;
  }

  private List<String> posixShape() {
    Map<String, List<StoredRecord>> byOwnerFile = new TreeMap<>();
    for (StoredRecord r : store) {
      if (r.isLock() && r.flavour() == LockFlavour.POSIX) {
        byOwnerFile.computeIfAbsent(r.owner() + " " + r.file(), k -> new ArrayList<>()).add(r);
      }
    }
    List<String> out = new ArrayList<>();
    for (List<StoredRecord> rs : byOwnerFile.values()) {
      rs.sort(Comparator.comparing(StoredRecord::range));
      for (int i = 1; i < rs.size(); i++) {
        StoredRecord a = rs.get(i - 1);
        StoredRecord b = rs.get(i);
        boolean overlap = Long.compareUnsigned(b.range().first(), a.range().last()) <= 0;
        boolean touchSameType =
            a.type() == b.type()
                && a.range().last() != -1L
                && a.range().last() + 1 == b.range().first();
        if (overlap || touchSameType) {
          out.add("POSIX records not coalesced or overlapping: " + a + " and " + b);
        }
      }
    }
    return out;
  }

  private static List<String> sorted(List<StoredRecord> rs) {
    List<String> out = new ArrayList<>();
    rs.forEach(r -> out.add(r.encode()));
    out.sort(null);
    return out;
  }
}
