package org.dittofs.metadata.lock;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Optional;
import org.dittofs.metadata.errors.StoreErrors;

/**
 * An opaque file handle: a byte string compared by content. The lock manager never interprets it.
 * Immutable (the bytes are copied in and out) and thread-safe.
 */
public final class FileHandle {
  /** The longest handle accepted, in bytes. */
  public static final int MAX_LENGTH = 1024;

  private final byte[] bytes;
  private final int hash;

  private FileHandle(byte[] bytes) {
    this.bytes = bytes;
    this.hash = Arrays.hashCode(bytes);
  }

  /**
   * A handle holding a copy of {@code bytes}.
   *
   * @throws org.dittofs.metadata.errors.StoreError INVALID_HANDLE if null, empty or longer than
   *     {@value #MAX_LENGTH} bytes
   */
  public static FileHandle of(byte[] bytes) {
    if (bytes == null || bytes.length == 0) {
      throw StoreErrors.invalidHandle("a file handle must hold at least one byte");
    }
    if (bytes.length > MAX_LENGTH) {
      throw StoreErrors.invalidHandle(
          "a file handle holds at most " + MAX_LENGTH + " bytes, got " + bytes.length);
    }
    return new FileHandle(bytes.clone());
  }

  /** A handle made of the UTF-8 bytes of {@code text} (for tests, demos and local callers). */
  public static FileHandle of(String text) {
    return of(text == null ? null : text.getBytes(StandardCharsets.UTF_8));
  }

  /** A handle from its {@link #toHex()} form. */
  public static FileHandle fromHex(String hex) {
    if (hex == null) {
      throw StoreErrors.invalidHandle("a hexadecimal file handle must not be null");
    }
    try {
      return of(HexFormat.of().parseHex(hex));
    } catch (IllegalArgumentException e) {
      throw StoreErrors.invalidHandle("not a hexadecimal handle: " + hex);
    }
  }

  /** A copy of the handle's bytes. */
  public byte[] bytes() {
    return bytes.clone();
  }

  /** Number of bytes. */
  public int length() {
    return bytes.length;
  }

  /** Lower-case hexadecimal form, the one used in messages and stores. */
  public String toHex() {
    return HexFormat.of().formatHex(bytes);
  }

  /**
   * The handle's bytes as text, if they are well-formed UTF-8 without a control character (names
   * made by {@link #of(String)}, as tests, demos and operators use them); empty otherwise. For
   * display only: a handle stays an opaque byte string.
   */
  public Optional<String> text() {
    try {
      String s =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(bytes))
              .toString();
      return s.codePoints().anyMatch(Character::isISOControl) ? Optional.empty() : Optional.of(s);
    } catch (CharacterCodingException e) {
      return Optional.empty();
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FileHandle f && f.hash == hash && Arrays.equals(f.bytes, bytes);
  }

  @Override
  public int hashCode() {
    return hash;
  }

  @Override
  public String toString() {
    return toHex();
  }
}
