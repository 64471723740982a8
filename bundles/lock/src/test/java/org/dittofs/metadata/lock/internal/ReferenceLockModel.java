package org.dittofs.metadata.lock.internal;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.dittofs.metadata.errors.ErrorCode;
import org.dittofs.metadata.lock.ByteRange;
import org.dittofs.metadata.lock.LockFlavour;
import org.dittofs.metadata.lock.LockType;
import org.dittofs.metadata.lock.LockingMode;

/**
 * A brute-force reference model of the lock table, written from docs/lock-semantics.md sections
 * 1-4, 6 and 7 and sharing no code with the implementation (no Conflicts, PosixChanges,
 * IntervalTree, ...).
 *
 * <p><b>Byte abstraction.</b> A file has 2^64 bytes; the model keeps {@value #CELLS} <i>cells</i>:
 *
 * <ul>
 *   <li>cells 0..63: the bytes 0..63 (the window where most ranges live);
 *   <li>cell 64 ({@link #GAP}): the whole run of bytes [64, 2^64-9] as one abstract byte;
 *   <li>cells 65..72: the last eight bytes 2^64-8 .. 2^64-1.
 * </ul>
 *
 * Cells are in byte order and consecutive cells hold consecutive bytes, so "overlap" and "touch"
 * (coalescing) are the same on cells as on bytes. The abstraction is sound as long as every range
 * ever used starts at the first byte of a cell and ends at the last byte of a cell: then every
 * range holds either all of the gap or none of it, and every range the implementation can derive
 * from such ranges (split pieces end at {@code first-1} or start at {@code last+1}, coalesced
 * ranges take endpoints of their parts) is again cell-aligned. The generator only produces such
 * ranges ({@link Span}), and the comparison fails on any real record whose endpoints are not cell
 * boundaries, so nothing the model cannot represent goes unnoticed. A zero-length Windows range is
 * modelled at the boundary before a cell (offsets 0..64 and 2^64-8..2^64-1): it conflicts only with
 * a range that holds both the cell before and the cell at the boundary.
 *
 * <p><b>State.</b> Per file and owner: a byte map of POSIX lock types (the owner's records are the
 * maximal runs of one type, SPEC 4 coalescing), and a multiset (a list) of WINDOWS records (range,
 * type) because Windows locks stack. Per file: the opens as (handle, owner, access, deny). An
 * owner's flavour is the flavour of the locks it holds on any file, or none while it holds none.
 */
final class ReferenceLockModel {
  static final int WINDOW = 64;
  static final int GAP = WINDOW;
  static final int HIGH = 8;
  static final int CELLS = WINDOW + 1 + HIGH;
  static final int LAST = CELLS - 1;
  static final int FILES = 3;
  static final int OWNERS = 8;
  static final int POSIX_OWNERS = 4;

  private static final byte NONE = 0;

  /** First byte (unsigned) of a cell. */
  static long firstByte(int cell) {
    return cell <= GAP ? cell : cell - CELLS; // cell 72 -> -1 = 2^64-1
  }

  /** Last byte (unsigned) of a cell. */
  static long lastByte(int cell) {
    if (cell < GAP) {
      return cell;
    }
    return cell == GAP ? firstByte(GAP + 1) - 1 : cell - CELLS;
  }

  /** The cell whose first byte is {@code b}, or -1 if {@code b} starts no cell. */
  static int cellStartingAt(long b) {
    if (Long.compareUnsigned(b, GAP) <= 0) {
      return (int) b;
    }
    return Long.compareUnsigned(b, firstByte(GAP + 1)) >= 0 ? (int) (b + CELLS) : -1;
  }

  /** The cell whose last byte is {@code b}, or -1 if {@code b} ends no cell. */
  static int cellEndingAt(long b) {
    if (Long.compareUnsigned(b, GAP) < 0) {
      return (int) b;
    }
    if (b == lastByte(GAP)) {
      return GAP;
    }
    return Long.compareUnsigned(b, firstByte(GAP + 1)) >= 0 ? (int) (b + CELLS) : -1;
  }

  /** A byte offset for humans: decimal, or {@code EOF-k} near 2^64-1. */
  static String offset(long b) {
    if (b >= 0) {
      return Long.toString(b);
    }
    return b == -1 ? "EOF" : "EOF-" + (-1 - b);
  }

  /** A cell-aligned range: cells [lo, hi], or a zero-length range at the first byte of cell lo. */
  record Span(boolean zero, int lo, int hi) {
    static Span cells(int lo, int hi) {
      if (lo < 0 || hi < lo || hi > LAST) {
        throw new IllegalArgumentException("cells " + lo + ".." + hi);
      }
      return new Span(false, lo, hi);
    }

    static Span zeroAt(int cell) {
      return new Span(true, cell, cell);
    }

    /** The span of a real range, or null if its endpoints are not cell boundaries. */
    static Span of(ByteRange r) {
      int lo = cellStartingAt(r.first());
      if (r.isZeroLength()) {
        return lo < 0 ? null : zeroAt(lo);
      }
      int hi = cellEndingAt(r.last());
      return lo < 0 || hi < 0 || hi < lo ? null : cells(lo, hi);
    }

    boolean holds(int cell) {
      return !zero && lo <= cell && cell <= hi;
    }

    boolean encloses(Span o) {
      return !zero && !o.zero && lo <= o.lo && o.hi <= hi;
    }

    /** SPEC 2: byte ranges overlap iff they share a byte; zero-length at X needs X-1 and X. */
    boolean overlaps(Span o) {
      if (zero && o.zero) {
        return false;
      }
      if (zero) {
        return lo > 0 && o.holds(lo - 1) && o.holds(lo);
      }
      if (o.zero) {
        return o.overlaps(this);
      }
      return lo <= o.hi && o.lo <= hi;
    }

    long firstByte() {
      return ReferenceLockModel.firstByte(lo);
    }

    ByteRange toRange() {
      if (zero) {
        return ByteRange.zeroLength(firstByte());
      }
      if (hi == LAST) {
        return ByteRange.toEnd(firstByte());
      }
      return ByteRange.span(firstByte(), lastByte(hi) - firstByte() + 1);
    }

    @Override
    public String toString() {
      if (zero) {
        return "@" + offset(firstByte()) + "+0";
      }
      return "[" + offset(firstByte()) + ", " + offset(lastByte(hi)) + "]";
    }
  }

  /** A lock as the model sees it: an owner's range of one type. */
  record Held(int owner, LockFlavour flavour, Span span, LockType type) {
    boolean exclusive() {
      return type == LockType.EXCLUSIVE;
    }
  }

  /** An open: {@code handle} names it across replays (real ids differ between runs). */
  record OpenRec(int handle, int owner, int access, int deny) {}

  enum Decision {
    GRANTED,
    DENIED,
    INVALID
  }

  /**
   * SPEC 3 and 7: whether {@code held} conflicts with a request of {@code owner} for {@code type}
   * over {@code span}. For I/O a read is SHARED and a write EXCLUSIVE; a WINDOWS holder's own
   * SHARED lock blocks its own write, its own EXCLUSIVE lock blocks nothing of its own.
   */
  static boolean conflicts(Held held, int owner, LockType type, Span span, boolean io) {
    if (!held.span().overlaps(span)) {
      return false;
    }
    boolean exclusive = type == LockType.EXCLUSIVE;
    if (held.owner() != owner) {
      return exclusive || held.exclusive();
    }
    if (held.flavour() == LockFlavour.POSIX) {
      return false;
    }
    return io ? exclusive && !held.exclusive() : exclusive;
  }

  /** SPEC 7: WINDOWS locks always restrict I/O, POSIX locks only on MANDATORY shares. */
  static boolean restrictsIo(Held held, LockingMode mode) {
    return held.flavour() == LockFlavour.WINDOWS || mode == LockingMode.MANDATORY;
  }

  private final byte[][][] posix = new byte[FILES][OWNERS][CELLS];
  private final List<List<List<Held>>> windows = new ArrayList<>();
  private final List<List<OpenRec>> opens = new ArrayList<>();

  ReferenceLockModel() {
    for (int f = 0; f < FILES; f++) {
      List<List<Held>> perOwner = new ArrayList<>();
      for (int o = 0; o < OWNERS; o++) {
        perOwner.add(new ArrayList<>());
      }
      windows.add(perOwner);
      opens.add(new ArrayList<>());
    }
  }

  /** Makes this model an independent copy of {@code other} (locks and opens). */
  void copyFrom(ReferenceLockModel other) {
    for (int f = 0; f < FILES; f++) {
      for (int o = 0; o < OWNERS; o++) {
        System.arraycopy(other.posix[f][o], 0, posix[f][o], 0, CELLS);
        replaceAll(windows.get(f).get(o), other.windows.get(f).get(o));
      }
      replaceAll(opens.get(f), other.opens.get(f));
    }
  }

  /** Makes {@code into} hold what {@code from} holds. */
  static <T> void replaceAll(Collection<T> into, Collection<? extends T> from) {
    into.clear();
    into.addAll(from);
  }

  /** Drops every lock of every file, keeping the opens (a restart moves locks elsewhere). */
  void clearLocks() {
    for (int f = 0; f < FILES; f++) {
      for (int o = 0; o < OWNERS; o++) {
        java.util.Arrays.fill(posix[f][o], NONE);
        windows.get(f).get(o).clear();
      }
    }
  }

  /** The flavour of the locks the owner holds anywhere, or null if it holds none. */
  LockFlavour flavourOf(int owner) {
    for (int f = 0; f < FILES; f++) {
      if (!windows.get(f).get(owner).isEmpty()) {
        return LockFlavour.WINDOWS;
      }
      for (byte b : posix[f][owner]) {
        if (b != NONE) {
          return LockFlavour.POSIX;
        }
      }
    }
    return null;
  }

  private boolean flavourMismatch(int owner, LockFlavour flavour) {
    LockFlavour held = flavourOf(owner);
    return held != null && held != flavour;
  }

  /** The POSIX type the owner holds on a cell, or null. */
  LockType posixType(int file, int owner, int cell) {
    return decode(posix[file][owner][cell]);
  }

  /** Every record of the file: each owner's maximal POSIX runs and its WINDOWS records. */
  List<Held> records(int file) {
    List<Held> all = new ArrayList<>();
    for (int o = 0; o < OWNERS; o++) {
      all.addAll(records(file, o));
    }
    return all;
  }

  /** The owner's records on the file: maximal POSIX runs, then WINDOWS records in grant order. */
  List<Held> records(int file, int owner) {
    List<Held> out = new ArrayList<>(posixRuns(file, owner));
    out.addAll(windows.get(file).get(owner));
    return out;
  }

  /** The owner's POSIX records: one per maximal run of cells with one type. */
  List<Held> posixRuns(int file, int owner) {
    byte[] m = posix[file][owner];
    List<Held> out = new ArrayList<>();
    int c = 0;
    while (c < CELLS) {
      if (m[c] == NONE) {
        c++;
        continue;
      }
      int start = c;
      while (c + 1 < CELLS && m[c + 1] == m[start]) {
        c++;
      }
      out.add(new Held(owner, LockFlavour.POSIX, Span.cells(start, c), decode(m[start])));
      c++;
    }
    return out;
  }

  /** How many POSIX records the owner would hold on the file after a grant of {@code span}. */
  int posixRunsAfter(int file, int owner, LockType type, Span span) {
    byte[] m = posix[file][owner].clone();
    for (int c = span.lo(); c <= span.hi(); c++) {
      m[c] = encode(type);
    }
    int runs = 0;
    for (int c = 0; c < CELLS; c++) {
      if (m[c] != NONE && (c == 0 || m[c - 1] != m[c])) {
        runs++;
      }
    }
    return runs;
  }

  List<Held> windowsRecords(int file, int owner) {
    return windows.get(file).get(owner);
  }

  Decision decideAcquire(int file, int owner, LockFlavour flavour, LockType type, Span span) {
    if (flavourMismatch(owner, flavour)) {
      return Decision.INVALID;
    }
    Span checked = conflictSpan(file, owner, flavour, type, span);
    for (Held h : records(file)) {
      if (conflicts(h, owner, type, checked, false)) {
        return Decision.DENIED;
      }
    }
    return Decision.GRANTED;
  }

  /**
   * The range a lock request is checked against: the requested range, or, for a POSIX request that
   * does not conflict by itself, the record it would coalesce into. SPEC 3 decides every conflict
   * with one predicate and SPEC 4 coalesces same-type records that touch, so a grant must not leave
   * a coalesced record that conflicts with another owner's lock; the only lock that a coalesced
   * record can meet without meeting the request or the owner's existing record is a WINDOWS
   * zero-length lock at the boundary between them. Such a request is denied, naming the lowest
   * (then oldest) lock that conflicts with the coalesced record.
   */
  Span conflictSpan(int file, int owner, LockFlavour flavour, LockType type, Span span) {
    if (flavour != LockFlavour.POSIX) {
      return span;
    }
    for (Held h : records(file)) {
      if (conflicts(h, owner, type, span, false)) {
        return span;
      }
    }
    byte[] m = posix[file][owner];
    int lo = span.lo();
    int hi = span.hi();
    while (lo > 0 && m[lo - 1] == encode(type)) {
      lo--;
    }
    while (hi < LAST && m[hi + 1] == encode(type)) {
      hi++;
    }
    return Span.cells(lo, hi);
  }

  /** Records the grant (conflicts were decided before). */
  void grant(int file, int owner, LockFlavour flavour, LockType type, Span span) {
    if (flavour == LockFlavour.POSIX) {
      for (int c = span.lo(); c <= span.hi(); c++) {
        posix[file][owner][c] = encode(type);
      }
    } else {
      windows.get(file).get(owner).add(new Held(owner, LockFlavour.WINDOWS, span, type));
    }
  }

  /**
   * Applies a release and returns null, or returns the error code of a refused release (nothing
   * changed). A POSIX release of a zero-length range holds no byte and changes nothing.
   */
  ErrorCode release(int file, int owner, LockFlavour flavour, Span span) {
    if (flavourMismatch(owner, flavour)) {
      return ErrorCode.INVALID_ARGUMENT;
    }
    if (flavour == LockFlavour.POSIX) {
      if (!span.zero()) {
        for (int c = span.lo(); c <= span.hi(); c++) {
          posix[file][owner][c] = NONE;
        }
      }
      return null;
    }
    List<Held> own = windows.get(file).get(owner);
    int pick = -1;
    for (int i = 0; i < own.size(); i++) {
      if (own.get(i).span().equals(span)) {
        if (own.get(i).exclusive()) {
          pick = i;
          break;
        }
        if (pick < 0) {
          pick = i;
        }
      }
    }
    if (pick < 0) {
      return ErrorCode.LOCK_NOT_FOUND;
    }
    own.remove(pick);
    return null;
  }

  /** Whether a read or write by {@code owner} over {@code span} is blocked. */
  boolean ioBlocked(int file, int owner, boolean write, LockingMode mode, Span span) {
    LockType as = write ? LockType.EXCLUSIVE : LockType.SHARED;
    for (Held h : records(file)) {
      if (restrictsIo(h, mode) && conflicts(h, owner, as, span, true)) {
        return true;
      }
    }
    return false;
  }

  /** SPEC 6: a new open conflicts iff its access meets a deny or its deny meets an access. */
  boolean openConflicts(int file, int access, int deny) {
    for (OpenRec o : opens.get(file)) {
      if ((access & o.deny()) != 0 || (deny & o.access()) != 0) {
        return true;
      }
    }
    return false;
  }

  void open(int file, OpenRec rec) {
    opens.get(file).add(rec);
  }

  OpenRec liveOpen(int file, int handle) {
    for (OpenRec o : opens.get(file)) {
      if (o.handle() == handle) {
        return o;
      }
    }
    return null;
  }

  void downgrade(int file, int handle, int access, int deny) {
    List<OpenRec> list = opens.get(file);
    for (int i = 0; i < list.size(); i++) {
      OpenRec o = list.get(i);
      if (o.handle() == handle) {
        list.set(i, new OpenRec(handle, o.owner(), access, deny));
      }
    }
  }

  void close(int file, int handle) {
    opens.get(file).removeIf(o -> o.handle() == handle);
  }

  List<OpenRec> opens(int file) {
    return opens.get(file);
  }

  private static byte encode(LockType t) {
    return (byte) (t == LockType.SHARED ? 1 : 2);
  }

  private static LockType decode(byte b) {
    return b == NONE ? null : b == 1 ? LockType.SHARED : LockType.EXCLUSIVE;
  }
}
