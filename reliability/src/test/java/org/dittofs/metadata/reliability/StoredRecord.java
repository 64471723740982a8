package org.dittofs.metadata.reliability;

import java.util.Set;
import org.dittofs.metadata.lock.ByteRange;
import org.dittofs.metadata.lock.LockFlavour;
import org.dittofs.metadata.lock.LockType;
import org.dittofs.metadata.lock.ShareAccess;
import org.dittofs.metadata.lock.spi.PersistedLock;
import org.dittofs.metadata.store.postgres.TextForms;

/**
 * A lock or open record as the child reports it from its memory or its store: every field of a
 * {@link PersistedLock} except the acquisition time (whose precision differs between stores).
 * {@link #encode()} is also the identity used to compare memory with the store.
 */
record StoredRecord(
    String id,
    PersistedLock.Kind kind,
    String file,
    String owner,
    String clientId,
    String adapter,
    LockFlavour flavour,
    LockType type,
    ByteRange range,
    Set<ShareAccess> access,
    Set<ShareAccess> deny,
    long epoch) {

  static StoredRecord of(PersistedLock p) {
    return new StoredRecord(
        p.id(),
        p.kind(),
        Identities.name(p.file()),
        p.owner(),
        p.clientId(),
        p.adapter(),
        p.flavour(),
        p.type(),
        p.range(),
        p.access(),
        p.deny(),
        p.epoch());
  }

  boolean isLock() {
    return kind == PersistedLock.Kind.LOCK;
  }

  /** Space-separated tokens; {@code -} for the fields the kind does not have. */
  String encode() {
    return String.join(
        " ",
        id,
        kind.name(),
        file,
        owner,
        clientId,
        adapter,
        flavour == null ? "-" : flavour.name(),
        type == null ? "-" : type.name(),
        range == null ? "-" : TextForms.range(range),
        TextForms.modes(access),
        TextForms.modes(deny),
        Long.toString(epoch));
  }

  /** Parses {@code tokens[from..]} as written by {@link #encode}. */
  static StoredRecord decode(String[] w, int from) {
    int i = from;
    return new StoredRecord(
        w[i],
        PersistedLock.Kind.valueOf(w[i + 1]),
        w[i + 2],
        w[i + 3],
        w[i + 4],
        w[i + 5],
        w[i + 6].equals("-") ? null : LockFlavour.valueOf(w[i + 6]),
        w[i + 7].equals("-") ? null : LockType.valueOf(w[i + 7]),
        w[i + 8].equals("-") ? null : TextForms.range(w[i + 8]),
        TextForms.modes(w[i + 9]),
        TextForms.modes(w[i + 10]),
        Long.parseLong(w[i + 11]));
  }

  @Override
  public String toString() {
    return encode();
  }
}
