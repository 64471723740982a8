package org.dittofs.metadata.shell;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.dittofs.metadata.lock.ByteRange;
import org.dittofs.metadata.lock.FileHandle;
import org.dittofs.metadata.lock.LockClient;
import org.dittofs.metadata.lock.LockFlavour;
import org.dittofs.metadata.lock.LockOwner;
import org.dittofs.metadata.lock.LockRequest;
import org.dittofs.metadata.lock.LockType;
import org.dittofs.metadata.lock.UnlockRequest;

/**
 * The arguments of one lock command: {@code <owner> <file> <offset> <length|eof> [shared|exclusive]
 * [posix|windows]}. Options may come in any order after the range. The owner's client is {@code
 * shell:<owner>}; files are {@code FileHandle.of(name)} in the {@value DemoShare#NAME} share.
 *
 * @param owner the lock owner id as typed
 * @param file the file name as typed
 * @param range the bytes
 * @param type SHARED or EXCLUSIVE; null if not given
 * @param flavour POSIX or WINDOWS; null if not given
 */
record LockArgs(String owner, String file, ByteRange range, LockType type, LockFlavour flavour) {
  /** The adapter name of the clients the shell acts for. */
  static final String ADAPTER = "shell";

  /**
   * Parses the arguments of a lock command.
   *
   * @param usage the command's usage line, for the error message
   * @param withType whether a lock type is accepted (not for releases)
   * @throws IllegalArgumentException with the usage line if the arguments do not fit
   */
  static LockArgs parse(String[] args, String usage, boolean withType) {
    if (args.length < 4) {
      throw new IllegalArgumentException("usage: " + usage);
    }
    LockType type = null;
    LockFlavour flavour = null;
    for (int i = 4; i < args.length; i++) {
      String opt = args[i].toLowerCase(Locale.ROOT);
      switch (opt) {
        case "shared", "exclusive" -> {
          if (!withType || type != null) {
            throw new IllegalArgumentException("unexpected '" + args[i] + "'; usage: " + usage);
          }
          type = LockType.valueOf(opt.toUpperCase(Locale.ROOT));
        }
        case "posix", "windows" -> {
          if (flavour != null) {
            throw new IllegalArgumentException("unexpected '" + args[i] + "'; usage: " + usage);
          }
          flavour = LockFlavour.valueOf(opt.toUpperCase(Locale.ROOT));
        }
        default ->
            throw new IllegalArgumentException("unknown option '" + args[i] + "'; usage: " + usage);
      }
    }
    long offset = unsigned("offset", args[2], usage);
    String length = args[3].toLowerCase(Locale.ROOT);
    ByteRange range;
    if (length.equals("eof")) {
      range = ByteRange.toEnd(offset);
    } else {
      long n = unsigned("length", length, usage);
      if (n != 0) {
        range = ByteRange.span(offset, n);
      } else if (flavour == LockFlavour.WINDOWS) {
        range = ByteRange.zeroLength(offset); // SMB: length 0 is a zero-length range
      } else {
        range = ByteRange.toEnd(offset); // NLM and fcntl: length 0 means to end of file
      }
    }
    return new LockArgs(args[0], args[1], range, type, flavour);
  }

  private static long unsigned(String what, String text, String usage) {
    try {
      return Long.parseUnsignedLong(text);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          what + " '" + text + "' is not an unsigned 64-bit number; usage: " + usage);
    }
  }

  FileHandle handle() {
    return DemoShare.file(file);
  }

  LockOwner lockOwner() {
    return LockOwner.of(owner);
  }

  LockClient client() {
    return clientOf(owner);
  }

  static LockClient clientOf(String owner) {
    return new LockClient(owner, ADAPTER);
  }

  /** The request, EXCLUSIVE and POSIX where not given. */
  LockRequest request() {
    return new LockRequest(
        handle(),
        DemoShare.NAME,
        lockOwner(),
        client(),
        flavour == null ? LockFlavour.POSIX : flavour,
        type == null ? LockType.EXCLUSIVE : type,
        range);
  }

  /** The release, with {@code held} as the flavour when none was given. */
  UnlockRequest release(LockFlavour held) {
    LockFlavour f = flavour != null ? flavour : held != null ? held : LockFlavour.POSIX;
    return new UnlockRequest(handle(), lockOwner(), f, range);
  }

  /** The words of the request for messages: {@code alice report.txt [0, 99] EXCLUSIVE POSIX}. */
  String describe(LockRequest r) {
    List<String> words = new ArrayList<>();
    words.add(owner);
    words.add(file);
    words.add(r.range().toString());
    words.add(r.type().name());
    words.add(r.flavour().name());
    return String.join(" ", words);
  }
}
