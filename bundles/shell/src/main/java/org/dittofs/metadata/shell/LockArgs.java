package org.dittofs.metadata.shell;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import org.dittofs.metadata.errors.StoreError;
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
   * @throws UsageException with the usage line if the arguments do not fit: a wrong count, an
   *     unknown or repeated word, a number that is not unsigned 64-bit, a range past 2^64-1, an
   *     owner or file name no owner id or handle can hold
   */
  static LockArgs parse(String[] args, String usage, boolean withType) {
    if (args.length < 4 || args.length > (withType ? 6 : 5)) {
      throw UsageException.usage(usage);
    }
    for (String a : args) {
      if (a == null) {
        throw UsageException.usage(usage);
      }
    }
    LockType type = null;
    LockFlavour flavour = null;
    for (int i = 4; i < args.length; i++) {
      String opt = args[i].toLowerCase(Locale.ROOT);
      switch (opt) {
        case "shared", "exclusive" -> {
          if (!withType) {
            throw unknown(args[i], false, usage);
          }
          if (type != null) {
            throw new UsageException("unexpected '" + args[i] + "'", usage);
          }
          type = LockType.valueOf(opt.toUpperCase(Locale.ROOT));
        }
        case "posix", "windows" -> {
          if (flavour != null) {
            throw new UsageException("unexpected '" + args[i] + "'", usage);
          }
          flavour = LockFlavour.valueOf(opt.toUpperCase(Locale.ROOT));
        }
        default -> throw unknown(args[i], withType, usage);
      }
    }
    String owner = args[0];
    String file = args[1];
    valid(() -> LockOwner.of(owner), "owner", owner, usage);
    clientOf(owner, usage);
    file(file, usage);
    long offset = unsigned("offset", args[2], usage);
    String length = args[3].toLowerCase(Locale.ROOT);
    ByteRange range;
    if (length.equals("eof")) {
      range = ByteRange.toEnd(offset);
    } else {
      long n = unsigned("length", args[3], usage);
      if (n != 0) {
        range = valid(() -> ByteRange.span(offset, n), "range", args[2] + "+" + args[3], usage);
      } else if (flavour == LockFlavour.WINDOWS) {
        range = ByteRange.zeroLength(offset); // SMB: length 0 is a zero-length range
      } else {
        range = ByteRange.toEnd(offset); // NLM and fcntl: length 0 means to end of file
      }
    }
    return new LockArgs(owner, file, range, type, flavour);
  }

  private static UsageException unknown(String word, boolean withType, String usage) {
    return new UsageException(
        "unknown option '"
            + word
            + "' (expected "
            + (withType ? "shared, exclusive, " : "")
            + "posix or windows)",
        usage);
  }

  /** Decimal ASCII digits only: no sign, no other script's digits. */
  private static long unsigned(String what, String text, String usage) {
    try {
      if (text.isEmpty() || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
        throw new NumberFormatException(text);
      }
      return Long.parseUnsignedLong(text);
    } catch (NumberFormatException e) {
      throw new UsageException(
          what + " '" + text + "' is not an unsigned 64-bit number (0 to 18446744073709551615)",
          usage);
    }
  }

  /** Builds a value, turning a refusal of the value type into a usage error naming the argument. */
  private static <T> T valid(Supplier<T> value, String what, String text, String usage) {
    try {
      return value.get();
    } catch (StoreError e) {
      throw new UsageException(what + " '" + text + "': " + e.getMessage(), usage);
    }
  }

  /** The handle of a file named on the command line; a name no handle can hold is a usage error. */
  static FileHandle file(String name, String usage) {
    return valid(() -> DemoShare.file(name), "file", name, usage);
  }

  /** The client an owner acts through; an owner no client id can hold is a usage error. */
  static LockClient clientOf(String owner, String usage) {
    return valid(() -> clientOf(owner), "owner", owner, usage);
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
