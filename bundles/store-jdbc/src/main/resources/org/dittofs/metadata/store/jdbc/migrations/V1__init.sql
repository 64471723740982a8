-- V1: the initial schema, the same text for H2 and PostgreSQL.
--
-- Format (read by Migrations): statements end with ';' at the end of a line; lines starting
-- with '--' are comments. Every statement is idempotent (IF NOT EXISTS, guarded insert)
-- because H2 commits DDL implicitly: a script interrupted there is simply run again.
--
-- Encodings: unsigned 64-bit range bounds are stored as (offset XOR 2^63) in a signed
-- BIGINT, so signed order equals unsigned order and 2^64-1 is exact. acquired_at is the
-- Instant's epoch second and nano adjustment, exact for every Instant. access and deny are
-- ShareAccess bit masks. Enums are stored by name.

CREATE TABLE IF NOT EXISTS shares (
  name VARCHAR(255) NOT NULL PRIMARY KEY,
  locking_mode VARCHAR(16) NOT NULL
);

CREATE TABLE IF NOT EXISTS files (
  handle BYTEA NOT NULL PRIMARY KEY,
  share VARCHAR(255) NOT NULL,
  name VARCHAR(255) NOT NULL,
  parent BYTEA,
  type VARCHAR(16) NOT NULL,
  size BIGINT NOT NULL
);

CREATE INDEX IF NOT EXISTS files_by_share ON files (share);

CREATE TABLE IF NOT EXISTS locks (
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
  epoch BIGINT NOT NULL
);

CREATE INDEX IF NOT EXISTS locks_by_file ON locks (file);

CREATE INDEX IF NOT EXISTS locks_by_owner ON locks (owner);

CREATE INDEX IF NOT EXISTS locks_by_client ON locks (client_id);

CREATE INDEX IF NOT EXISTS locks_by_share ON locks (share);

CREATE TABLE IF NOT EXISTS server_state (
  id SMALLINT NOT NULL PRIMARY KEY CHECK (id = 1),
  epoch BIGINT NOT NULL,
  clean_shutdown BOOLEAN NOT NULL
);

INSERT INTO server_state (id, epoch, clean_shutdown)
  SELECT 1, 0, FALSE WHERE NOT EXISTS (SELECT 1 FROM server_state);
