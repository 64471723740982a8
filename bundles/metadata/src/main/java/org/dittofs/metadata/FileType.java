package org.dittofs.metadata;

/** What a file record describes. */
public enum FileType {
  FILE,
  DIRECTORY,
  SYMLINK
}
