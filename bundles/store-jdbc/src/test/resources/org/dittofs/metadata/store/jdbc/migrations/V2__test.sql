-- A second migration, for the tests only: a ';' inside a string does not end a statement
-- unless it ends the line.
CREATE TABLE IF NOT EXISTS migration_probe (
  note VARCHAR(40) NOT NULL
);

INSERT INTO migration_probe (note) VALUES ('it''s; here');
