package org.dittofs.metadata.errors;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

/**
 * Factories for the generic errors and predicates that classify any throwable. The predicates look
 * through the cause chain (guarding against cycles), so an error wrapped by a store or an adapter
 * is still recognised. Lock-specific factories (conflict, deadlock, grace, limits) live in the lock
 * bundle, next to the types they describe.
 */
public final class StoreErrors {
  private StoreErrors() {}

  /** {@link ErrorCode#NOT_FOUND}: the path does not exist. */
  public static StoreError notFound(String path) {
    return withPath(ErrorCode.NOT_FOUND, "not found: " + path, path);
  }

  /** {@link ErrorCode#PERMISSION_DENIED}: the file's permissions forbid the operation. */
  public static StoreError permissionDenied(String path) {
    return withPath(ErrorCode.PERMISSION_DENIED, "permission denied: " + path, path);
  }

  /** {@link ErrorCode#IS_DIRECTORY}: a directory was given where a file was expected. */
  public static StoreError isDirectory(String path) {
    return withPath(ErrorCode.IS_DIRECTORY, "is a directory: " + path, path);
  }

  /** {@link ErrorCode#NOT_DIRECTORY}: a file was given where a directory was expected. */
  public static StoreError notDirectory(String path) {
    return withPath(ErrorCode.NOT_DIRECTORY, "not a directory: " + path, path);
  }

  /** {@link ErrorCode#INVALID_HANDLE}: the handle cannot be decoded. */
  public static StoreError invalidHandle(String reason) {
    return new StoreError(ErrorCode.INVALID_HANDLE, "invalid file handle: " + reason);
  }

  /** {@link ErrorCode#NOT_EMPTY}: the directory still has entries. */
  public static StoreError notEmpty(String path) {
    return withPath(ErrorCode.NOT_EMPTY, "directory not empty: " + path, path);
  }

  /** {@link ErrorCode#ALREADY_EXISTS}: the name is taken. */
  public static StoreError alreadyExists(String path) {
    return withPath(ErrorCode.ALREADY_EXISTS, "already exists: " + path, path);
  }

  /**
   * {@link ErrorCode#INVALID_ARGUMENT}: a parameter is malformed or out of range.
   *
   * @param message names the parameter, the value and what is allowed
   */
  public static StoreError invalidArgument(String message) {
    return new StoreError(ErrorCode.INVALID_ARGUMENT, message);
  }

  /** {@link ErrorCode#ACCESS_DENIED}: the caller may not do this. */
  public static StoreError accessDenied(String reason) {
    return new StoreError(ErrorCode.ACCESS_DENIED, "access denied: " + reason);
  }

  /** {@link ErrorCode#QUOTA_EXCEEDED}: a quota would be exceeded. */
  public static StoreError quotaExceeded(String reason) {
    return new StoreError(ErrorCode.QUOTA_EXCEEDED, "quota exceeded: " + reason);
  }

  /** {@link ErrorCode#PRIVILEGE_REQUIRED}: the operation needs a privilege. */
  public static StoreError privilegeRequired(String operation) {
    return new StoreError(ErrorCode.PRIVILEGE_REQUIRED, "privilege required for " + operation);
  }

  /** {@link ErrorCode#NAME_TOO_LONG}: a name is longer than {@code max} bytes. */
  public static StoreError nameTooLong(String name, int max) {
    return new StoreError(
        ErrorCode.NAME_TOO_LONG, "name longer than " + max + " bytes: " + abbreviate(name));
  }

  /** NOT_FOUND or LOCK_NOT_FOUND, here or in a cause. */
  public static boolean isNotFound(Throwable t) {
    return hasCode(t, ErrorCode.NOT_FOUND, ErrorCode.LOCK_NOT_FOUND);
  }

  /** LOCKED or LOCK_CONFLICT, here or in a cause. */
  public static boolean isLockConflict(Throwable t) {
    return hasCode(t, ErrorCode.LOCKED, ErrorCode.LOCK_CONFLICT);
  }

  /** DEADLOCK, here or in a cause. */
  public static boolean isDeadlock(Throwable t) {
    return hasCode(t, ErrorCode.DEADLOCK);
  }

  /** GRACE_PERIOD, here or in a cause. */
  public static boolean isGracePeriod(Throwable t) {
    return hasCode(t, ErrorCode.GRACE_PERIOD);
  }

  /** LOCK_LIMIT_EXCEEDED, here or in a cause. */
  public static boolean isLockLimit(Throwable t) {
    return hasCode(t, ErrorCode.LOCK_LIMIT_EXCEEDED);
  }

  /**
   * Whether {@code t} or any throwable in its cause chain is a {@link StoreError} with one of the
   * codes. Null-safe and cycle-safe.
   */
  public static boolean hasCode(Throwable t, ErrorCode... codes) {
    Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    for (Throwable c = t; c != null && seen.add(c); c = c.getCause()) {
      if (c instanceof StoreError e) {
        for (ErrorCode code : codes) {
          if (e.code() == code) {
            return true;
          }
        }
      }
    }
    return false;
  }

  private static StoreError withPath(ErrorCode code, String message, String path) {
    return new StoreError(code, message, path, null, null, null);
  }

  private static String abbreviate(String s) {
    return s == null || s.length() <= 64 ? String.valueOf(s) : s.substring(0, 61) + "...";
  }
}
