package org.dittofs.metadata;

import java.nio.charset.StandardCharsets;
import org.dittofs.metadata.errors.StoreErrors;
import org.dittofs.metadata.lock.spi.PersistedLock;

/**
 * The sizes every metadata store must hold, and the one check all stores apply before writing, so a
 * value one store takes is taken by all: a value beyond a limit is INVALID_ARGUMENT naming the
 * field, never truncated.
 */
public final class RecordLimits {
  /** Record ids, in characters. */
  public static final int MAX_ID_CHARS = 128;

  /** Owner ids and client ids, in UTF-8 bytes (the lock manager's default owner limit). */
  public static final int MAX_OWNER_BYTES = 1024;

  /** Adapter names, in UTF-8 bytes. */
  public static final int MAX_ADAPTER_BYTES = 64;

  /** Share names and file names, in UTF-8 bytes. */
  public static final int MAX_NAME_BYTES = 255;

  private RecordLimits() {}

  /** Checks a lock record before a store writes it. */
  public static void check(PersistedLock r) {
    if (r.id().length() > MAX_ID_CHARS) {
      throw tooLong(
          "lock record id", r.id().length() + " characters", MAX_ID_CHARS + " characters");
    }
    checkBytes("owner id", r.owner(), MAX_OWNER_BYTES);
    checkBytes("client id", r.clientId(), MAX_OWNER_BYTES);
    checkBytes("adapter name", r.adapter(), MAX_ADAPTER_BYTES);
    checkBytes("share name", r.share(), MAX_NAME_BYTES);
  }

  /** Checks a share before a store writes it. */
  public static void check(Share s) {
    checkBytes("share name", s.name(), MAX_NAME_BYTES);
  }

  /** Checks a file record before a store writes it. */
  public static void check(FileRecord f) {
    checkBytes("share name", f.share(), MAX_NAME_BYTES);
    checkBytes("file name", f.name(), MAX_NAME_BYTES);
  }

  /** Checks a string against a UTF-8 byte limit. */
  public static void checkBytes(String field, String value, int maxBytes) {
    int n = value.getBytes(StandardCharsets.UTF_8).length;
    if (n > maxBytes) {
      throw tooLong(field, n + " UTF-8 bytes", maxBytes + " bytes");
    }
  }

  private static RuntimeException tooLong(String field, String got, String max) {
    return StoreErrors.invalidArgument(
        field + " is " + got + " long; a store holds at most " + max);
  }
}
