package org.dittofs.metadata.lock.spi;

import java.time.Instant;

/**
 * A node of a cluster as the store knows it (docs/cluster.md), for operators ({@code
 * cluster:nodes}).
 *
 * @param node the node's id
 * @param live whether it is a live member now (its membership session holds its liveness lock)
 * @param incarnation how many times it has joined (1 during its first membership)
 * @param startedAt when its current (or last) membership began, by the store's clock
 * @param heartbeatAt its last heartbeat, by the store's clock
 * @param clients the registered clients that belong to it
 */
public record ClusterNode(
    String node,
    boolean live,
    long incarnation,
    Instant startedAt,
    Instant heartbeatAt,
    int clients) {}
