package org.dittofs.metadata.reliability;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.dittofs.metadata.lock.ByteRange;
import org.dittofs.metadata.lock.LockType;

/**
 * The bytes one POSIX owner holds in one file, with their type: what a client knows from its own
 * requests (a grant sets its bytes to its type, a release clears them), independent of how the
 * manager cuts records. {@link #runs()} gives the maximal runs of equal type, which is exactly the
 * record set a POSIX lock manager keeps (same-type records that touch are coalesced). Offsets are
 * unsigned. Not thread-safe.
 */
final class Coverage {
  /** One run: bytes {@code [first, last]} held with {@code type}. */
  record Run(long first, long last, LockType type) {
    ByteRange range() {
      return ByteRange.of(first, last);
    }

    @Override
    public String toString() {
      return type + " " + range();
    }
  }

  private final TreeMap<Long, Run> runs = new TreeMap<>(Long::compareUnsigned);

  Coverage copy() {
    Coverage c = new Coverage();
    c.runs.putAll(runs);
    return c;
  }

  boolean isEmpty() {
    return runs.isEmpty();
  }

  /** Sets the bytes of {@code r} to {@code type}. Returns whether anything changed. */
  boolean set(ByteRange r, LockType type) {
    List<Run> before = runs();
    clear(r);
    runs.put(r.first(), new Run(r.first(), r.last(), type));
    return !before.equals(runs());
  }

  /** Clears the bytes of {@code r}. Returns whether anything changed. */
  boolean clear(ByteRange r) {
    boolean changed = false;
    Map.Entry<Long, Run> lower = runs.lowerEntry(r.first());
    if (lower != null && Long.compareUnsigned(lower.getValue().last(), r.first()) >= 0) {
      cut(lower.getValue(), r);
      changed = true;
    }
    for (Run x : new ArrayList<>(runs.subMap(r.first(), true, r.last(), true).values())) {
      cut(x, r);
      changed = true;
    }
    return changed;
  }

  /** Whether every byte of {@code r} is held with {@code type} or stronger. */
  boolean holdsAtLeast(ByteRange r, LockType type) {
    long next = r.first();
    for (Run x : runs()) {
      if (Long.compareUnsigned(x.last(), next) < 0) {
        continue;
      }
      if (Long.compareUnsigned(x.first(), next) > 0) {
        return false;
      }
      if (type == LockType.EXCLUSIVE && x.type() != LockType.EXCLUSIVE) {
        return false;
      }
      if (Long.compareUnsigned(x.last(), r.last()) >= 0) {
        return true;
      }
      next = x.last() + 1;
    }
    return false;
  }

  /** The maximal runs of equal type, in byte order. */
  List<Run> runs() {
    List<Run> out = new ArrayList<>();
    for (Run x : runs.values()) {
      Run prev = out.isEmpty() ? null : out.get(out.size() - 1);
      if (prev != null
          && prev.type() == x.type()
          && prev.last() != -1L
          && prev.last() + 1 == x.first()) {
        out.set(out.size() - 1, new Run(prev.first(), x.last(), x.type()));
      } else {
        out.add(x);
      }
    }
    return out;
  }

  private void cut(Run x, ByteRange r) {
    runs.remove(x.first());
    if (Long.compareUnsigned(x.first(), r.first()) < 0) {
      runs.put(x.first(), new Run(x.first(), r.first() - 1, x.type()));
    }
    if (Long.compareUnsigned(x.last(), r.last()) > 0) {
      runs.put(r.last() + 1, new Run(r.last() + 1, x.last(), x.type()));
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Coverage c && c.runs().equals(runs());
  }

  @Override
  public int hashCode() {
    return runs().hashCode();
  }

  @Override
  public String toString() {
    return runs().toString();
  }
}
