-- V2: cluster mode (docs/cluster.md), PostgreSQL only: several servers share the lock records
-- of this database as one lock space. Harmless to a single server, which never writes these.
--
-- lock_files: each file's version. Every commit of a cluster operation that changes a file's
-- records sets it to the next value of lock_versions, so a version is never reused (a node's
-- cached table of the file is current exactly when the versions are equal).
-- cluster_ids: the next record-id sequence number; nodes take blocks of it, in increasing order.
-- cluster_nodes: the nodes that joined; a node is alive while its membership session holds the
-- session-level advisory lock (2002, key).

CREATE TABLE IF NOT EXISTS lock_files (
  handle BYTEA NOT NULL PRIMARY KEY,
  version BIGINT NOT NULL
);

CREATE SEQUENCE IF NOT EXISTS lock_versions;

CREATE TABLE IF NOT EXISTS cluster_ids (
  id SMALLINT NOT NULL PRIMARY KEY CHECK (id = 1),
  next BIGINT NOT NULL
);

INSERT INTO cluster_ids (id, next)
  SELECT 1, 1 WHERE NOT EXISTS (SELECT 1 FROM cluster_ids);

CREATE SEQUENCE IF NOT EXISTS cluster_node_keys;

CREATE TABLE IF NOT EXISTS cluster_nodes (
  node VARCHAR(255) NOT NULL PRIMARY KEY,
  key INTEGER NOT NULL UNIQUE,
  incarnation BIGINT NOT NULL,
  started_at TIMESTAMPTZ NOT NULL,
  heartbeat_at TIMESTAMPTZ NOT NULL,
  left_at TIMESTAMPTZ
);
