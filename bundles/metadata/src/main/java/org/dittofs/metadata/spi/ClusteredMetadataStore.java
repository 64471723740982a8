package org.dittofs.metadata.spi;

import org.dittofs.metadata.lock.spi.LockCluster;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A metadata store that several servers share as one lock space (cluster mode, docs/cluster.md).
 * The metadata service over it runs its lock manager as a node of {@link #lockCluster()}: the store
 * is the truth for locks and opens, every node's tables are a cache of it, and every lock operation
 * commits before it answers.
 *
 * <p>Thread-safe, as {@link MetadataStore}.
 */
@ConsumerType
public interface ClusteredMetadataStore extends MetadataStore {

  /** The coordination of this store's lock records among the nodes; the same object every call. */
  LockCluster lockCluster();
}
