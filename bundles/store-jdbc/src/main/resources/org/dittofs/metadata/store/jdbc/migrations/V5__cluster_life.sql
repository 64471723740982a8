-- V5: the life of a cluster (docs/cluster.md, SPEC 8 and 11), PostgreSQL only.
--
-- cluster_state: the cluster's grace period, entered once by the node that starts the cluster
-- cold when records of the last run are left (grace_active until grace_until, database clock;
-- the records of an epoch older than server_state.epoch are the restored ones), with what was
-- restored and how many were reclaimed at any node; and quota_base, the part of the total-limit
-- pool held by records no live node counts (those left at the cold start, and those of nodes that
-- left or died).
-- grace_clients: the clients expected to reclaim (expected) and those that declared their
-- reclaims complete at any node (completed).
-- cluster_nodes.quota: total-limit quota leased to the node. cluster_usage: the records each node
-- added (net) since it joined, committed with the operations that added them, in shards by file
-- so that a node's operations on different files do not wait for one row.
-- locks_by_epoch: restored records are found by their epoch.

CREATE TABLE IF NOT EXISTS cluster_state (
  id SMALLINT NOT NULL PRIMARY KEY CHECK (id = 1),
  grace_active BOOLEAN NOT NULL,
  grace_until TIMESTAMPTZ,
  restored_locks INTEGER NOT NULL,
  restored_opens INTEGER NOT NULL,
  reclaimed INTEGER NOT NULL,
  quota_base BIGINT NOT NULL
);

INSERT INTO cluster_state (id, grace_active, restored_locks, restored_opens, reclaimed, quota_base)
  SELECT 1, FALSE, 0, 0, 0, 0 WHERE NOT EXISTS (SELECT 1 FROM cluster_state);

CREATE TABLE IF NOT EXISTS grace_clients (
  client_id VARCHAR(1024) NOT NULL,
  adapter VARCHAR(64) NOT NULL,
  expected BOOLEAN NOT NULL,
  completed BOOLEAN NOT NULL,
  PRIMARY KEY (client_id, adapter)
);

ALTER TABLE cluster_nodes ADD COLUMN IF NOT EXISTS quota BIGINT NOT NULL DEFAULT 0;

CREATE TABLE IF NOT EXISTS cluster_usage (
  node_key INTEGER NOT NULL,
  shard INTEGER NOT NULL,
  records BIGINT NOT NULL,
  PRIMARY KEY (node_key, shard)
);

CREATE INDEX IF NOT EXISTS locks_by_epoch ON locks (epoch);
