package org.dittofs.metadata.lock.testing;

import java.time.Instant;
import java.util.EnumSet;
import java.util.Set;
import org.dittofs.metadata.lock.ByteRange;
import org.dittofs.metadata.lock.FileHandle;
import org.dittofs.metadata.lock.LockFlavour;
import org.dittofs.metadata.lock.LockType;
import org.dittofs.metadata.lock.ShareAccess;
import org.dittofs.metadata.lock.spi.PersistedLock;

/**
 * A small fluent vocabulary for lock records in store tests: {@code
 * Records.lock("r1").owner("o").range(ByteRange.whole()).build()} is an EXCLUSIVE POSIX lock of
 * owner {@code o} on file {@code f}, share {@code export}, client {@code client} over adapter
 * {@code nlm}, acquired at {@link #T0} in epoch 1. Every part not set keeps that default.
 *
 * <p>{@link #T0} has microsecond precision: every store keeps at least microseconds, so records
 * built here compare with {@code equals} after a round trip.
 */
public final class Records {
  /** The default acquisition time: microsecond precision. */
  public static final Instant T0 = Instant.parse("2024-05-06T07:08:09.123456Z");

  /** The default file. */
  public static final FileHandle FILE = FileHandle.of("f");

  private Records() {}

  /** A byte-range lock record with the defaults. */
  public static Builder lock(String id) {
    return new Builder(id, PersistedLock.Kind.LOCK);
  }

  /** An open record (READ access, no deny) with the defaults. */
  public static Builder open(String id) {
    return new Builder(id, PersistedLock.Kind.OPEN);
  }

  /** "RW" is {READ, WRITE}; "RWD", "" and so on. */
  public static Set<ShareAccess> modes(String letters) {
    Set<ShareAccess> s = EnumSet.noneOf(ShareAccess.class);
    for (char c : letters.toCharArray()) {
      s.add(
          switch (c) {
            case 'R' -> ShareAccess.READ;
            case 'W' -> ShareAccess.WRITE;
            case 'D' -> ShareAccess.DELETE;
            default -> throw new IllegalArgumentException("share mode letter " + c);
          });
    }
    return s;
  }

  /** Builds one record; not thread-safe. */
  public static final class Builder {
    private String id;
    private final PersistedLock.Kind kind;
    private String share = "export";
    private FileHandle file = FILE;
    private String owner = "owner";
    private String clientId = "client";
    private String adapter = "nlm";
    private LockFlavour flavour = LockFlavour.POSIX;
    private LockType type = LockType.EXCLUSIVE;
    private ByteRange range = ByteRange.span(0, 100);
    private Set<ShareAccess> access = Set.of(ShareAccess.READ);
    private Set<ShareAccess> deny = Set.of();
    private Instant acquiredAt = T0;
    private long epoch = 1;

    private Builder(String id, PersistedLock.Kind kind) {
      this.id = id;
      this.kind = kind;
    }

    public Builder id(String v) {
      id = v;
      return this;
    }

    public Builder share(String v) {
      share = v;
      return this;
    }

    public Builder file(FileHandle v) {
      file = v;
      return this;
    }

    public Builder file(String v) {
      return file(FileHandle.of(v));
    }

    public Builder owner(String v) {
      owner = v;
      return this;
    }

    public Builder client(String v) {
      clientId = v;
      return this;
    }

    public Builder adapter(String v) {
      adapter = v;
      return this;
    }

    public Builder flavour(LockFlavour v) {
      flavour = v;
      return this;
    }

    public Builder windows() {
      return flavour(LockFlavour.WINDOWS);
    }

    public Builder type(LockType v) {
      type = v;
      return this;
    }

    public Builder shared() {
      return type(LockType.SHARED);
    }

    public Builder range(ByteRange v) {
      range = v;
      return this;
    }

    /** The inclusive unsigned range {@code [first, last]}. */
    public Builder range(long first, long last) {
      return range(ByteRange.of(first, last));
    }

    public Builder access(Set<ShareAccess> v) {
      access = v;
      return this;
    }

    public Builder access(String letters) {
      return access(modes(letters));
    }

    public Builder deny(Set<ShareAccess> v) {
      deny = v;
      return this;
    }

    public Builder deny(String letters) {
      return deny(modes(letters));
    }

    public Builder at(Instant v) {
      acquiredAt = v;
      return this;
    }

    public Builder epoch(long v) {
      epoch = v;
      return this;
    }

    /** The record; a lock carries no share modes, an open no flavour, type or range. */
    public PersistedLock build() {
      boolean lock = kind == PersistedLock.Kind.LOCK;
      return new PersistedLock(
          id,
          kind,
          share,
          file,
          owner,
          clientId,
          adapter,
          lock ? flavour : null,
          lock ? type : null,
          lock ? range : null,
          lock ? Set.of() : access,
          lock ? Set.of() : deny,
          acquiredAt,
          epoch);
    }
  }
}
