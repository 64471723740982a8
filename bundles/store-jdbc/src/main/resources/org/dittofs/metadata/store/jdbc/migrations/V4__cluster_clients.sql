-- V4: clients of the nodes of a cluster (docs/cluster.md, SPEC 9), PostgreSQL only.
--
-- cluster_clients: a registered client belongs to the node it last registered at (node). When
-- that node is found dead (orphaned_at, database clock), the client's state is released by a
-- live node once lease_millis have passed, or at release_at if its node had a ttl release
-- pending (set when it unregistered with a ttl, and when a live node takes the release over),
-- unless the client registers at a live node first (failover: it keeps its state).

CREATE TABLE IF NOT EXISTS cluster_clients (
  client_id VARCHAR(1024) NOT NULL,
  adapter VARCHAR(64) NOT NULL,
  node VARCHAR(255) NOT NULL,
  lease_millis BIGINT NOT NULL,
  release_at TIMESTAMPTZ,
  orphaned_at TIMESTAMPTZ,
  PRIMARY KEY (client_id, adapter)
);

CREATE INDEX IF NOT EXISTS cluster_clients_by_node ON cluster_clients (node);
