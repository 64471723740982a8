-- V3: waiting across the nodes of a cluster (docs/cluster.md, SPEC 5), PostgreSQL only.
--
-- lock_waiters: blocking requests queued on a file, part of the file's state (its version moves
-- with them). The request's columns are those of locks (the request as a lock record, its id the
-- waiter's); node is where it waits; state WAITING, GRANTED (granted_* is the lock it got) or
-- FAILED (failure_code, failure_message). The queue's order is the ids' order.
-- lock_wait_edges: the cluster's wait-for graph; read and changed only under the advisory lock
-- (2003, 0), taken after a file's lock.

CREATE TABLE IF NOT EXISTS lock_waiters (
  id VARCHAR(128) NOT NULL PRIMARY KEY,
  kind VARCHAR(8) NOT NULL,
  share VARCHAR(255) NOT NULL,
  file BYTEA NOT NULL,
  owner VARCHAR(1024) NOT NULL,
  client_id VARCHAR(1024) NOT NULL,
  adapter VARCHAR(64) NOT NULL,
  flavour VARCHAR(8),
  type VARCHAR(16),
  range_first BIGINT,
  range_last BIGINT,
  zero_length BOOLEAN,
  access INTEGER NOT NULL,
  deny INTEGER NOT NULL,
  acquired_at_seconds BIGINT NOT NULL,
  acquired_at_nanos INTEGER NOT NULL,
  epoch BIGINT NOT NULL,
  node VARCHAR(255) NOT NULL,
  state VARCHAR(8) NOT NULL,
  granted_id VARCHAR(128),
  granted_type VARCHAR(16),
  granted_first BIGINT,
  granted_last BIGINT,
  granted_zero_length BOOLEAN,
  granted_at_seconds BIGINT,
  granted_at_nanos INTEGER,
  failure_code VARCHAR(64),
  failure_message VARCHAR(2048)
);

CREATE INDEX IF NOT EXISTS lock_waiters_by_file ON lock_waiters (file);

CREATE INDEX IF NOT EXISTS lock_waiters_by_node ON lock_waiters (node);

CREATE TABLE IF NOT EXISTS lock_wait_edges (
  waiter VARCHAR(128) NOT NULL,
  owner VARCHAR(1024) NOT NULL,
  blocker VARCHAR(1024) NOT NULL,
  PRIMARY KEY (waiter, blocker)
);
