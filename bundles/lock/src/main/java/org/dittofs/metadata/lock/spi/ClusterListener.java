package org.dittofs.metadata.lock.spi;

import org.dittofs.metadata.lock.FileHandle;
import org.dittofs.metadata.lock.LockClient;
import org.osgi.annotation.versioning.ProviderType;

/**
 * What a node is told by its cluster ({@link LockCluster#listen}). Implemented by the lock manager;
 * the store calls it on a thread of its own, one call at a time, and each call returns quickly (the
 * lock manager schedules the work elsewhere).
 */
@ProviderType
public interface ClusterListener {

  /**
   * Other nodes decided queued requests of this node on {@code file} ({@link
   * FileTransaction#notify}); null when notifications may have been lost (the node's membership was
   * renewed): then every file with queued requests of this node must be looked at, and the grace
   * period read again.
   */
  void changed(FileHandle file);

  /**
   * {@code client}'s state must be released by this node now: its node died and its lease ran out
   * without it registering anywhere else, or its node died while its ttl release was pending. The
   * node calls {@link LockCluster#clientReleased} when it is done.
   */
  void expired(LockClient client);

  /** Another node ended the cluster's grace period ({@link LockCluster#endGrace}). */
  void graceEnded();

  /**
   * Another node is short of total-limit quota: this node gives back what it does not use ({@link
   * LockCluster#returnQuota}).
   */
  void quotaWanted();
}
