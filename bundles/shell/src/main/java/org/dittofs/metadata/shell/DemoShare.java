package org.dittofs.metadata.shell;

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

  /**
   * The name of a handle if its bytes are printable UTF-8 without white space (so that it is one
   * word of a command line), else {@code 0x<hex>}.
   */
  static String display(FileHandle handle) {
    return handle
        .text()
        .filter(s -> s.codePoints().noneMatch(Character::isWhitespace))
        .orElseGet(() -> "0x" + handle.toHex());
  }
}
