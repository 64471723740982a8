package org.dittofs.metadata.reliability;

import java.util.EnumSet;
import java.util.Set;
import org.dittofs.metadata.lock.ByteRange;
import org.dittofs.metadata.lock.ShareAccess;

/**
 * The text forms of the line protocol between the test (parent) and the service process (child):
 * one space-separated token per value, so that a line splits on single spaces. Ranges are {@code
 * first-last} in unsigned decimal or {@code @offset} for a WINDOWS zero-length range; share modes
 * are letters of {@code RWD} or {@code -} for none.
 */
final class Wire {
  private Wire() {}

  static String range(ByteRange r) {
    return r.isZeroLength()
        ? "@" + Long.toUnsignedString(r.first())
        : Long.toUnsignedString(r.first()) + "-" + Long.toUnsignedString(r.last());
  }

  static ByteRange range(String s) {
    if (s.startsWith("@")) {
      return ByteRange.zeroLength(Long.parseUnsignedLong(s.substring(1)));
    }
    int dash = s.indexOf('-');
    return ByteRange.of(
        Long.parseUnsignedLong(s.substring(0, dash)),
        Long.parseUnsignedLong(s.substring(dash + 1)));
  }

  static String modes(Set<ShareAccess> s) {
    if (s.isEmpty()) {
      return "-";
    }
    StringBuilder b = new StringBuilder();
    for (ShareAccess a : EnumSet.copyOf(s)) {
      b.append(a.name().charAt(0));
    }
    return b.toString();
  }

  static Set<ShareAccess> modes(String s) {
    Set<ShareAccess> out = EnumSet.noneOf(ShareAccess.class);
    for (ShareAccess a : ShareAccess.values()) {
      if (s.indexOf(a.name().charAt(0)) >= 0) {
        out.add(a);
      }
    }
    return out;
  }
}
