package org.dittofs.metadata.store.postgres;

import java.util.EnumSet;
import java.util.Set;
import org.dittofs.metadata.lock.ByteRange;
import org.dittofs.metadata.lock.ShareAccess;

/**
 * The one-word text forms of lock values in the line protocols between a test and the service
 * processes it starts (the cluster nodes here, the killed service of the reliability tests): a
 * range is {@code first-last} in unsigned decimal (both inclusive) or {@code @offset} for a
 * zero-length range; share modes are letters of {@code RWD}, or {@code -} for none. Shared through
 * the test-jar.
 */
public final class TextForms {
  private TextForms() {}

  public static String range(ByteRange r) {
    return r.isZeroLength()
        ? "@" + Long.toUnsignedString(r.first())
        : Long.toUnsignedString(r.first()) + "-" + Long.toUnsignedString(r.last());
  }

  /** The range of a {@link #range(ByteRange)} form; IllegalArgumentException for another word. */
  public static ByteRange range(String text) {
    if (text.startsWith("@")) {
      return ByteRange.zeroLength(Long.parseUnsignedLong(text.substring(1)));
    }
    int dash = text.indexOf('-');
    if (dash < 0) {
      throw new IllegalArgumentException("not a range (first-last or @offset): " + text);
    }
    return ByteRange.of(
        Long.parseUnsignedLong(text.substring(0, dash)),
        Long.parseUnsignedLong(text.substring(dash + 1)));
  }

  public static String modes(Set<ShareAccess> modes) {
    StringBuilder b = new StringBuilder();
    modes.stream().sorted().forEach(a -> b.append(a.name().charAt(0)));
    return b.length() == 0 ? "-" : b.toString();
  }

  /** The modes of a {@link #modes(Set)} form; IllegalArgumentException for another letter. */
  public static Set<ShareAccess> modes(String letters) {
    Set<ShareAccess> out = EnumSet.noneOf(ShareAccess.class);
    for (char c : letters.toCharArray()) {
      switch (c) {
        case 'R' -> out.add(ShareAccess.READ);
        case 'W' -> out.add(ShareAccess.WRITE);
        case 'D' -> out.add(ShareAccess.DELETE);
        case '-' -> {}
        default -> throw new IllegalArgumentException("not an access letter: " + c);
      }
    }
    return out;
  }
}
