package org.dittofs.metadata.lock.spi;

/**
 * Where a registered client belongs in a cluster, as one file transaction reads it ({@link
 * FileTransaction#client}).
 *
 * @param node the node the client last registered at
 * @param courtesy whether the client is a courtesy client (SPEC 9) as the cluster knows it: its
 *     node said that its lease ran out there and it has not been heard of since ({@link
 *     LockCluster#clientCourtesy}), or its node is dead and the client's lease has run out since
 *     the node was found dead
 */
public record ClusterClient(String node, boolean courtesy) {}
