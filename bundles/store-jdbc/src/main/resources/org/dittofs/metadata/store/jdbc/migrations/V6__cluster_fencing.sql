-- V6: courtesy clients seen by every node, and fencing of nodes found dead (docs/cluster.md,
-- SPEC 9 and "Nodes, partitions"), PostgreSQL only.
--
-- cluster_clients.courtesy_at: set (database clock) by the client's own node when the client's
-- lease ran out there, cleared by that node before it serves the client's next request, by a
-- registration and by an unregistration. Any node may then revoke the client's conflicting state,
-- holding the row (FOR SHARE) until its revocation commits, so that a renewal is ordered after it.
-- cluster_clients_courtesy: every operation asks whether any client is marked or orphaned (then
-- it reads the clients it conflicts with); the partial index answers that from an empty index.
-- cluster_nodes.dead_at: set by the live node that finds the node dead (its liveness lock gone),
-- under the membership lock and the node's fence lock (advisory 2004, key), which every file
-- transaction of the node holds shared: a transaction of a node declared dead is refused by the
-- database. A join (a new incarnation) clears it.

ALTER TABLE cluster_clients ADD COLUMN IF NOT EXISTS courtesy_at TIMESTAMPTZ;

ALTER TABLE cluster_nodes ADD COLUMN IF NOT EXISTS dead_at TIMESTAMPTZ;

CREATE INDEX IF NOT EXISTS cluster_clients_courtesy ON cluster_clients (node)
  WHERE courtesy_at IS NOT NULL OR orphaned_at IS NOT NULL;
