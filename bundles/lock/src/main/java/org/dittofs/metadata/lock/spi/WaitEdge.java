package org.dittofs.metadata.lock.spi;

import java.util.Objects;

/**
 * One edge of the cluster's wait-for graph (docs/cluster.md, SPEC 5): the queued request {@code
 * waiter} of owner {@code owner} waits on owner {@code blocker}.
 *
 * @param waiter the queued request's id
 * @param owner the owner of the queued request
 * @param blocker an owner it waits on
 */
public record WaitEdge(String waiter, String owner, String blocker) {
  public WaitEdge {
    Objects.requireNonNull(waiter, "waiter");
    Objects.requireNonNull(owner, "owner");
    Objects.requireNonNull(blocker, "blocker");
  }
}
