package org.dittofs.metadata.store.jdbc;

import org.dittofs.metadata.lock.FileHandle;

/**
 * The 64-bit advisory lock key of a file in cluster mode: FNV-1a over the handle's bytes, then the
 * finalizer of MurmurHash3 to spread the bits. Every node computes the same key for a handle. Two
 * handles with one key share their lock, which serializes their operations more than needed and
 * changes nothing else (each file's version and records are its own). Stateless.
 */
final class FileKeys {
  private FileKeys() {}

  static long key(FileHandle file) {
    long h = 0xcbf29ce484222325L;
    for (byte b : file.bytes()) {
      h ^= b & 0xff;
      h *= 0x100000001b3L;
    }
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb9fe1a85ec53L;
    h ^= h >>> 33;
    return h;
  }
}
