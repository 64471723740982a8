package org.dittofs.metadata.lock;

import org.dittofs.metadata.errors.StoreErrors;

/**
 * A range of bytes of a file: {@code [first, last]}, both inclusive, as unsigned 64-bit values
 * (Java {@code long} read unsigned; {@code -1L} is 2^64-1). There is no public constructor: the
 * factories make each protocol convention explicit, and a range that would wrap past 2^64-1 is
 * refused with INVALID_ARGUMENT, never clamped.
 *
 * <ul>
 *   <li>{@link #span(long, long)}: a bounded span of {@code length >= 1} bytes (SMB offset/length,
 *       NLM/NFSv4 with a non-zero length);
 *   <li>{@link #toEnd(long)}: from an offset to end of file, {@code last = 2^64-1} (NLM length 0,
 *       NFSv4 length 2^64-1, fcntl {@code l_len = 0});
 *   <li>{@link #zeroLength(long)}: a Windows zero-length range at an offset (SMB length 0). It
 *       holds no byte; it conflicts only with a range that holds both {@code offset-1} and {@code
 *       offset}, so at offset 0 it never conflicts. For it {@link #last()} equals {@link #first()}.
 * </ul>
 *
 * <p>Immutable and thread-safe.
 */
public final class ByteRange implements Comparable<ByteRange> {
  /** 2^64-1, the last byte of every file, as an unsigned long. */
  public static final long MAX = -1L;

  private static final ByteRange WHOLE = new ByteRange(0, MAX, false);

  private final long first;
  private final long last;
  private final boolean zeroLength;

  private ByteRange(long first, long last, boolean zeroLength) {
    this.first = first;
    this.last = last;
    this.zeroLength = zeroLength;
  }

  /**
   * A bounded span {@code [offset, offset + length - 1]}.
   *
   * @param offset first byte, unsigned
   * @param length number of bytes, unsigned, at least 1
   * @throws org.dittofs.metadata.errors.StoreError INVALID_ARGUMENT if length is 0 or the span
   *     wraps past 2^64-1
   */
  public static ByteRange span(long offset, long length) {
    if (length == 0) {
      throw StoreErrors.invalidArgument(
          "range length must be at least 1; use ByteRange.toEnd for 'to end of file' or"
              + " ByteRange.zeroLength for a Windows zero-length range");
    }
    if (Long.compareUnsigned(length - 1, MAX - offset) > 0) {
      throw StoreErrors.invalidArgument(
          "range offset "
              + Long.toUnsignedString(offset)
              + " + length "
              + Long.toUnsignedString(length)
              + " wraps past 2^64-1");
    }
    return new ByteRange(offset, offset + length - 1, false);
  }

  /** The range from {@code offset} (unsigned) to the end of file, {@code 2^64-1}. */
  public static ByteRange toEnd(long offset) {
    return offset == 0 ? WHOLE : new ByteRange(offset, MAX, false);
  }

  /** The whole file, {@code [0, 2^64-1]}. */
  public static ByteRange whole() {
    return WHOLE;
  }

  /**
   * The inclusive range {@code [first, last]} (unsigned).
   *
   * @throws org.dittofs.metadata.errors.StoreError INVALID_ARGUMENT if {@code last < first}
   */
  public static ByteRange of(long first, long last) {
    if (Long.compareUnsigned(last, first) < 0) {
      throw StoreErrors.invalidArgument(
          "range last byte "
              + Long.toUnsignedString(last)
              + " is before its first byte "
              + Long.toUnsignedString(first));
    }
    return new ByteRange(first, last, false);
  }

  /** A Windows zero-length range at {@code offset} (unsigned). Holds no byte. */
  public static ByteRange zeroLength(long offset) {
    return new ByteRange(offset, offset, true);
  }

  /** First byte (unsigned); for a zero-length range, its offset. */
  public long first() {
    return first;
  }

  /** Last byte, inclusive (unsigned); for a zero-length range, equal to {@link #first()}. */
  public long last() {
    return last;
  }

  /** Whether this is a Windows zero-length range. */
  public boolean isZeroLength() {
    return zeroLength;
  }

  /** Whether the range runs to the end of file ({@code last == 2^64-1}, not zero-length). */
  public boolean isToEnd() {
    return !zeroLength && last == MAX;
  }

  /** Whether the range holds byte {@code b} (unsigned). A zero-length range holds none. */
  public boolean contains(long b) {
    return !zeroLength && Long.compareUnsigned(first, b) <= 0 && Long.compareUnsigned(b, last) <= 0;
  }

  /** Whether this range holds every byte of {@code other} (false if either is zero-length). */
  public boolean encloses(ByteRange other) {
    return !zeroLength
        && !other.zeroLength
        && Long.compareUnsigned(first, other.first) <= 0
        && Long.compareUnsigned(other.last, last) <= 0;
  }

  /**
   * Whether the two ranges overlap in the sense of SPEC 2: two byte ranges overlap iff they share a
   * byte; a zero-length range at X overlaps only a range holding both X-1 and X; two zero-length
   * ranges never overlap. Symmetric.
   */
  public boolean overlaps(ByteRange o) {
    if (zeroLength) {
      return !o.zeroLength && spansBoundary(o, first);
    }
    if (o.zeroLength) {
      return spansBoundary(this, o.first);
    }
    return Long.compareUnsigned(first, o.last) <= 0 && Long.compareUnsigned(o.first, last) <= 0;
  }

  private static boolean spansBoundary(ByteRange r, long x) {
    return x != 0 && r.contains(x - 1) && r.contains(x);
  }

  /** Whether both ranges are the same bytes, or the same zero-length offset. */
  @Override
  public boolean equals(Object o) {
    return o instanceof ByteRange r
        && r.first == first
        && r.last == last
        && r.zeroLength == zeroLength;
  }

  @Override
  public int hashCode() {
    return Long.hashCode(first) * 31 + Long.hashCode(last) + (zeroLength ? 7 : 0);
  }

  /** Orders by first byte (unsigned), then last byte, zero-length before non-empty. */
  @Override
  public int compareTo(ByteRange o) {
    int c = Long.compareUnsigned(first, o.first);
    if (c != 0) {
      return c;
    }
    if (zeroLength != o.zeroLength) {
      return zeroLength ? -1 : 1;
    }
    return Long.compareUnsigned(last, o.last);
  }

  /** {@code [first, last]} in unsigned decimal, {@code EOF} for 2^64-1, or {@code @X+0}. */
  @Override
  public String toString() {
    if (zeroLength) {
      return "@" + Long.toUnsignedString(first) + "+0";
    }
    return "["
        + Long.toUnsignedString(first)
        + ", "
        + (last == MAX ? "EOF" : Long.toUnsignedString(last))
        + "]";
  }
}
