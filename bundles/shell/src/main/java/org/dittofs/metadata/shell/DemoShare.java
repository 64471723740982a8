package org.dittofs.metadata.shell;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import org.dittofs.metadata.Share;
import org.dittofs.metadata.host.MetadataManager;
import org.dittofs.metadata.lock.FileHandle;
import org.dittofs.metadata.lock.LockingMode;

/** The share the shell's files live in, and how file names map to handles and back. */
final class DemoShare {
  /** The share of every file named on the command line. */
  static final String NAME = "demo";

  private DemoShare() {}

  /** The handle of a file named on the command line: the UTF-8 bytes of its name. */
  static FileHandle file(String name) {
    return FileHandle.of(name);
  }

  /** Creates the share (ADVISORY) unless it exists. */
  static void ensure(MetadataManager service) {
    if (service.share(NAME).isEmpty()) {
      service.putShare(new Share(NAME, LockingMode.ADVISORY));
    }
  }

  /** The name of a handle if its bytes are printable UTF-8, else {@code 0x<hex>}. */
  static String display(FileHandle handle) {
    try {
      String s =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(handle.bytes()))
              .toString();
      if (s.codePoints().allMatch(c -> !Character.isISOControl(c) && !Character.isWhitespace(c))) {
        return s;
      }
    } catch (CharacterCodingException e) {
      // not text: hex below
    }
    return "0x" + handle.toHex();
  }
}
