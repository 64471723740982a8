package org.dittofs.metadata.lock.spi;

import org.osgi.annotation.versioning.ProviderType;

/**
 * One operation of a lock manager on one file, run by {@link LockCluster#onFile} or {@link
 * LockCluster#read}. Implemented by the lock manager; stores call it.
 *
 * @param <T> what the operation answers
 */
@ProviderType
public interface FileWork<T> {

  /**
   * Decides with the file's committed state at hand. Called once, on the caller's thread, while the
   * file is held (for {@code onFile}). {@code tx} is valid only during this call.
   *
   * @return the operation's answer
   */
  T run(FileTransaction tx);

  /**
   * Called once after {@link #run} when its writes were committed (or it wrote nothing), still on
   * the caller's thread and, for {@code onFile}, while the file is held: {@code version} is the
   * version the file has now. Not called if the commit failed.
   */
  void settled(long version);
}
