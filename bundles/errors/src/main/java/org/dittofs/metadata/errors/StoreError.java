package org.dittofs.metadata.errors;

import java.util.Objects;
import java.util.Optional;

/**
 * The one exception of DittoFS metadata and locking. It carries a machine-readable {@link
 * ErrorCode}, a message a person can act on, optionally the path or file it concerns, optionally a
 * structured {@link ErrorDetail} (the conflicting lock, the deadlock cycle, the grace time left,
 * the limit reached) and its cause.
 *
 * <p>Instances are immutable and safe to share between threads. Create them through {@link
 * StoreErrors} or the lock bundle's factories; test them with the predicates of {@link
 * StoreErrors}, which also look through causes.
 */
public final class StoreError extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final ErrorCode code;
  private final String path;
  private final String file;
  private final transient ErrorDetail detail;

  /**
   * Creates an error.
   *
   * @param code the error code, never null
   * @param message what went wrong and, where it helps, what to do; never null
   * @param path the path concerned, or null
   * @param file a printable form of the file handle concerned, or null
   * @param detail structured detail, or null
   * @param cause the underlying failure, or null
   */
  public StoreError(
      ErrorCode code,
      String message,
      String path,
      String file,
      ErrorDetail detail,
      Throwable cause) {
    super(Objects.requireNonNull(message, "message"), cause);
    this.code = Objects.requireNonNull(code, "code");
    this.path = path;
    this.file = file;
    this.detail = detail;
  }

  /** Creates an error with a code and a message only. */
  public StoreError(ErrorCode code, String message) {
    this(code, message, null, null, null, null);
  }

  /** Creates an error with a code, a message and a cause. */
  public StoreError(ErrorCode code, String message, Throwable cause) {
    this(code, message, null, null, null, cause);
  }

  /** The error code. */
  public ErrorCode code() {
    return code;
  }

  /** The path the error concerns, if one was given. */
  public Optional<String> path() {
    return Optional.ofNullable(path);
  }

  /** The printable file handle the error concerns, if one was given. */
  public Optional<String> file() {
    return Optional.ofNullable(file);
  }

  /** The structured detail, if any. */
  public Optional<ErrorDetail> detail() {
    return Optional.ofNullable(detail);
  }

  /** The conflicting lock, for LOCKED and LOCK_CONFLICT errors that name one. */
  public Optional<ErrorDetail.Conflict> conflict() {
    return detail instanceof ErrorDetail.Conflict c ? Optional.of(c) : Optional.empty();
  }

  /** A copy of this error with the path set. */
  public StoreError withPath(String newPath) {
    return new StoreError(code, getMessage(), newPath, file, detail, getCause());
  }

  /** A copy of this error with the printable file handle set. */
  public StoreError withFile(String newFile) {
    return new StoreError(code, getMessage(), path, newFile, detail, getCause());
  }

  @Override
  public String toString() {
    StringBuilder b = new StringBuilder(code.name()).append(": ").append(getMessage());
    if (path != null) {
      b.append(" (path ").append(path).append(')');
    }
    if (file != null) {
      b.append(" (file ").append(file).append(')');
    }
    if (detail != null) {
      b.append(" [").append(detail).append(']');
    }
    return b.toString();
  }
}
