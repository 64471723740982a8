package org.dittofs.metadata.lock;

import java.util.Set;
import org.dittofs.metadata.lock.testing.Records;

/**
 * A small fluent vocabulary for tests: {@code on("f").posix("A").exclusive(0, 10)} builds a lock
 * request for owner A on file f, share "export", client "client-A" over adapter "test".
 */
public final class Requests {
  private final FileHandle file;

  private Requests(FileHandle file) {
    this.file = file;
  }

  public static Requests on(String file) {
    return new Requests(FileHandle.of(file));
  }

  public FileHandle file() {
    return file;
  }

  public Owner posix(String owner) {
    return new Owner(LockOwner.of(owner), LockFlavour.POSIX);
  }

  public Owner windows(String owner) {
    return new Owner(LockOwner.of(owner), LockFlavour.WINDOWS);
  }

  /** Requests of one owner on the file. Ranges are (offset, length); length 0 means to EOF. */
  public final class Owner {
    private final LockOwner owner;
    private final LockFlavour flavour;

    private Owner(LockOwner owner, LockFlavour flavour) {
      this.owner = owner;
      this.flavour = flavour;
    }

    public LockOwner owner() {
      return owner;
    }

    public LockClient client() {
      return new LockClient("client-" + owner.id(), "test");
    }

    public LockRequest shared(long offset, long length) {
      return request(LockType.SHARED, range(offset, length));
    }

    public LockRequest exclusive(long offset, long length) {
      return request(LockType.EXCLUSIVE, range(offset, length));
    }

    public LockRequest request(LockType type, ByteRange range) {
      return new LockRequest(file, "export", owner, client(), flavour, type, range);
    }

    public UnlockRequest unlock(long offset, long length) {
      return unlock(range(offset, length));
    }

    public UnlockRequest unlock(ByteRange range) {
      return new UnlockRequest(file, owner, flavour, range);
    }

    public OpenRequest open(Set<ShareAccess> access, Set<ShareAccess> deny) {
      return new OpenRequest(file, "export", owner, client(), access, deny);
    }

    public OpenRequest open(String access, String deny) {
      return open(modes(access), modes(deny));
    }
  }

  /** POSIX/NLM convention: length 0 is "to end of file". */
  public static ByteRange range(long offset, long length) {
    return length == 0 ? ByteRange.toEnd(offset) : ByteRange.span(offset, length);
  }

  /** "RW" -> {READ, WRITE}; "RWD", "" etc. */
  public static Set<ShareAccess> modes(String letters) {
    return Records.modes(letters);
  }
}
