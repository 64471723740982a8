package org.dittofs.metadata.reliability;

import java.util.Set;
import org.dittofs.metadata.lock.ByteRange;
import org.dittofs.metadata.lock.LockFlavour;
import org.dittofs.metadata.lock.LockType;
import org.dittofs.metadata.lock.ShareAccess;
import org.dittofs.metadata.store.postgres.TextForms;

/**
 * One request a client thread sends to the lock manager, in the form both processes share: the
 * child journals it before the call ({@code REQ}), the parent models its effect when the
 * acknowledgement arrives ({@code ACK}). Only the fields of its kind are set.
 *
 * @param kind what it does
 * @param flavour POSIX or WINDOWS (lock kinds)
 * @param file the file's name
 * @param range the bytes (lock kinds)
 * @param type SHARED or EXCLUSIVE (LOCK, WAIT)
 * @param timeoutMillis how long a WAIT waits
 * @param openId the open (DOWNGRADE, CLOSE)
 * @param access the access (OPEN, DOWNGRADE)
 * @param deny the deny (OPEN, DOWNGRADE)
 */
record Op(
    Kind kind,
    LockFlavour flavour,
    String file,
    ByteRange range,
    LockType type,
    long timeoutMillis,
    String openId,
    Set<ShareAccess> access,
    Set<ShareAccess> deny) {

  /** The request kinds. */
  enum Kind {
    /** A lock without waiting (grant, upgrade, downgrade, coalesce, split). */
    LOCK,
    /** A blocking lock that waits at most {@code timeoutMillis}. */
    WAIT,
    /** A release of bytes (POSIX) or of one lock of exactly the range (WINDOWS). */
    UNLOCK,
    /** An open with a share reservation. */
    OPEN,
    /** An open downgrade. */
    DOWNGRADE,
    /** A close. */
    CLOSE
  }

  static Op lock(LockFlavour f, String file, ByteRange r, LockType t) {
    return new Op(Kind.LOCK, f, file, r, t, 0, null, null, null);
  }

  static Op await(LockFlavour f, String file, ByteRange r, LockType t, long timeoutMillis) {
    return new Op(Kind.WAIT, f, file, r, t, timeoutMillis, null, null, null);
  }

  static Op unlock(LockFlavour f, String file, ByteRange r) {
    return new Op(Kind.UNLOCK, f, file, r, null, 0, null, null, null);
  }

  static Op open(String file, Set<ShareAccess> access, Set<ShareAccess> deny) {
    return new Op(Kind.OPEN, null, file, null, null, 0, null, access, deny);
  }

  static Op downgrade(String file, String id, Set<ShareAccess> access, Set<ShareAccess> deny) {
    return new Op(Kind.DOWNGRADE, null, file, null, null, 0, id, access, deny);
  }

  static Op close(String file, String id) {
    return new Op(Kind.CLOSE, null, file, null, null, 0, id, null, null);
  }

  /** Whether the manager writes its change to the store before acknowledging it (SPEC 10). */
  boolean isGrant() {
    return kind == Kind.LOCK || kind == Kind.WAIT || kind == Kind.OPEN;
  }

  /** The line form, space-separated tokens. */
  String encode() {
    return switch (kind) {
      case LOCK -> "LOCK " + f(flavour) + " " + file + " " + TextForms.range(range) + " " + t(type);
      case WAIT ->
          "WAIT "
              + f(flavour)
              + " "
              + file
              + " "
              + TextForms.range(range)
              + " "
              + t(type)
              + " "
              + timeoutMillis;
      case UNLOCK -> "UNLOCK " + f(flavour) + " " + file + " " + TextForms.range(range);
      case OPEN -> "OPEN " + file + " " + TextForms.modes(access) + " " + TextForms.modes(deny);
      case DOWNGRADE ->
          "DOWNGRADE "
              + file
              + " "
              + openId
              + " "
              + TextForms.modes(access)
              + " "
              + TextForms.modes(deny);
      case CLOSE -> "CLOSE " + file + " " + openId;
    };
  }

  /** Parses {@code tokens[from..]} as written by {@link #encode}. */
  static Op decode(String[] w, int from) {
    Kind k = Kind.valueOf(w[from]);
    int i = from + 1;
    return switch (k) {
      case LOCK -> lock(f(w[i]), w[i + 1], TextForms.range(w[i + 2]), t(w[i + 3]));
      case WAIT ->
          await(
              f(w[i]), w[i + 1], TextForms.range(w[i + 2]), t(w[i + 3]), Long.parseLong(w[i + 4]));
      case UNLOCK -> unlock(f(w[i]), w[i + 1], TextForms.range(w[i + 2]));
      case OPEN -> open(w[i], TextForms.modes(w[i + 1]), TextForms.modes(w[i + 2]));
      case DOWNGRADE ->
          downgrade(w[i], w[i + 1], TextForms.modes(w[i + 2]), TextForms.modes(w[i + 3]));
      case CLOSE -> close(w[i], w[i + 1]);
    };
  }

  private static String f(LockFlavour f) {
    return f == LockFlavour.POSIX ? "P" : "W";
  }

  private static LockFlavour f(String s) {
    return s.equals("P") ? LockFlavour.POSIX : LockFlavour.WINDOWS;
  }

  private static String t(LockType t) {
    return t == LockType.SHARED ? "S" : "X";
  }

  private static LockType t(String s) {
    return s.equals("S") ? LockType.SHARED : LockType.EXCLUSIVE;
  }

  @Override
  public String toString() {
    return encode();
  }
}
