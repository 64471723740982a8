package org.dittofs.metadata.lock;

/**
 * A request to release bytes of a file held by an owner. For POSIX it releases the owner's bytes in
 * the range (splitting as needed, succeeding on bytes not held); for WINDOWS it removes one lock of
 * exactly that range.
 *
 * @param file the file
 * @param owner the owner releasing
 * @param flavour the owner's flavour
 * @param range the bytes to release
 */
public record UnlockRequest(
    FileHandle file, LockOwner owner, LockFlavour flavour, ByteRange range) {
  /**
   * @throws org.dittofs.metadata.errors.StoreError INVALID_ARGUMENT if a part is missing or a POSIX
   *     release has a zero-length range
   */
  public UnlockRequest {
    LockRequest.requirePresent(file, "file");
    LockRequest.requirePresent(owner, "owner");
    LockRequest.requirePresent(flavour, "flavour");
    LockRequest.requirePresent(range, "range");
    if (flavour == LockFlavour.POSIX && range.isZeroLength()) {
      throw org.dittofs.metadata.errors.StoreErrors.invalidArgument(
          "zero-length ranges exist only for WINDOWS locks; a POSIX length of 0 means"
              + " 'to end of file' (ByteRange.toEnd)");
    }
  }
}
