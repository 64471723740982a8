package org.dittofs.metadata.lock;

import org.dittofs.metadata.errors.StoreErrors;

/**
 * The id of a lock or open: the server epoch it was created in and a sequence number unique within
 * that epoch. Ids order by creation (epoch, then sequence), which makes "the oldest" well defined.
 * The string form {@code epoch.sequence} is what stores keep.
 *
 * @param epoch server epoch at creation, at least 0
 * @param sequence sequence within the epoch, at least 0
 */
public record LockId(long epoch, long sequence) implements Comparable<LockId> {
  public LockId {
    if (epoch < 0 || sequence < 0) {
      throw StoreErrors.invalidArgument(
          "lock id parts must be non-negative, got " + epoch + "." + sequence);
    }
  }

  /**
   * Parses the {@link #toString()} form.
   *
   * @throws org.dittofs.metadata.errors.StoreError INVALID_ARGUMENT if malformed
   */
  public static LockId parse(String text) {
    int dot = text == null ? -1 : text.indexOf('.');
    if (dot <= 0 || dot == text.length() - 1) {
      throw StoreErrors.invalidArgument("lock id must look like 'epoch.sequence', got: " + text);
    }
    try {
      return new LockId(
          Long.parseLong(text.substring(0, dot)), Long.parseLong(text.substring(dot + 1)));
    } catch (NumberFormatException e) {
      throw StoreErrors.invalidArgument("lock id must look like 'epoch.sequence', got: " + text);
    }
  }

  @Override
  public int compareTo(LockId o) {
    int c = Long.compare(epoch, o.epoch);
    return c != 0 ? c : Long.compare(sequence, o.sequence);
  }

  @Override
  public String toString() {
    return epoch + "." + sequence;
  }
}
