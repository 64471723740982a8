package org.dittofs.metadata.lock.internal;

import org.dittofs.metadata.lock.LockClient;

/**
 * Cluster mode: a request's grant would pass its client's per-client limit as this node counts it
 * (docs/cluster.md, SPEC 8). That count may still hold records other nodes released since this node
 * last loaded their files, so instead of refusing, the request's first attempt ends with this
 * signal (nothing changed, nothing counted); the caller reloads the client's files and runs the
 * request again, whose refusal, if any, is then exact ({@link RangeLocks}).
 */
final class ClientRecount extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final transient LockClient client;

  ClientRecount(LockClient client) {
    super("per-client count of " + client + " to be reloaded", null, false, false);
    this.client = client;
  }

  LockClient client() {
    return client;
  }
}
