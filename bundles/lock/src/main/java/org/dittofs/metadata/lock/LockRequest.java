package org.dittofs.metadata.lock;

import java.util.Objects;
import org.dittofs.metadata.errors.StoreErrors;

/**
 * A request to acquire (or test) one byte-range lock.
 *
 * @param file the file
 * @param share the share (export) the file belongs to
 * @param owner the requesting owner
 * @param client the connection the request came through
 * @param flavour POSIX or WINDOWS; must match the owner's existing locks
 * @param type SHARED or EXCLUSIVE
 * @param range the bytes; zero-length ranges are WINDOWS only
 */
public record LockRequest(
    FileHandle file,
    String share,
    LockOwner owner,
    LockClient client,
    LockFlavour flavour,
    LockType type,
    ByteRange range) {
  /**
   * @throws org.dittofs.metadata.errors.StoreError INVALID_ARGUMENT if a part is missing or a POSIX
   *     request has a zero-length range
   */
  public LockRequest {
    requirePresent(file, "file");
    requirePresent(share, "share");
    requirePresent(owner, "owner");
    requirePresent(client, "client");
    requirePresent(flavour, "flavour");
    requirePresent(type, "type");
    requirePresent(range, "range");
    if (flavour == LockFlavour.POSIX && range.isZeroLength()) {
      throw StoreErrors.invalidArgument(
          "zero-length ranges exist only for WINDOWS locks; a POSIX length of 0 means"
              + " 'to end of file' (ByteRange.toEnd)");
    }
  }

  /** Starts a request for {@code owner} on {@code file}; the builder asks for every other part. */
  public static Builder builder(FileHandle file, LockOwner owner) {
    return new Builder(file, owner);
  }

  static void requirePresent(Object value, String name) {
    if (value == null) {
      throw StoreErrors.invalidArgument("lock request is missing its " + name);
    }
  }

  /** A fluent builder; not thread-safe. */
  public static final class Builder {
    private final FileHandle file;
    private final LockOwner owner;
    private String share;
    private LockClient client;
    private LockFlavour flavour;
    private LockType type;
    private ByteRange range;

    private Builder(FileHandle file, LockOwner owner) {
      this.file = file;
      this.owner = owner;
    }

    public Builder share(String share) {
      this.share = share;
      return this;
    }

    public Builder client(LockClient client) {
      this.client = client;
      return this;
    }

    public Builder flavour(LockFlavour flavour) {
      this.flavour = flavour;
      return this;
    }

    public Builder posix() {
      return flavour(LockFlavour.POSIX);
    }

    public Builder windows() {
      return flavour(LockFlavour.WINDOWS);
    }

    public Builder type(LockType type) {
      this.type = type;
      return this;
    }

    public Builder shared() {
      return type(LockType.SHARED);
    }

    public Builder exclusive() {
      return type(LockType.EXCLUSIVE);
    }

    public Builder range(ByteRange range) {
      this.range = Objects.requireNonNull(range, "range");
      return this;
    }

    /** Builds the request; fails with INVALID_ARGUMENT naming the first missing part. */
    public LockRequest build() {
      return new LockRequest(file, share, owner, client, flavour, type, range);
    }
  }
}
