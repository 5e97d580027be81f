-- API keys, the allowlist's version, session owners (SQLite: api.sqlite3). IF NOT EXISTS: files
-- made before versioning (their tables created on open) adopt this version unchanged.
CREATE TABLE IF NOT EXISTS api_keys (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    secret_hash TEXT NOT NULL,
    origins TEXT NOT NULL,
    label TEXT NOT NULL,
    created REAL NOT NULL,
    revoked INTEGER NOT NULL DEFAULT 0
);
-- the allowlist's version, bumped by any change to api_keys
CREATE TABLE IF NOT EXISTS api_keys_version (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL);
INSERT OR IGNORE INTO api_keys_version VALUES (1, 0);
CREATE TRIGGER IF NOT EXISTS api_keys_insert AFTER INSERT ON api_keys
    BEGIN UPDATE api_keys_version SET version = version + 1; END;
CREATE TRIGGER IF NOT EXISTS api_keys_update AFTER UPDATE ON api_keys
    BEGIN UPDATE api_keys_version SET version = version + 1; END;
CREATE TRIGGER IF NOT EXISTS api_keys_delete AFTER DELETE ON api_keys
    BEGIN UPDATE api_keys_version SET version = version + 1; END;

CREATE TABLE IF NOT EXISTS session_owners (
    session_id TEXT PRIMARY KEY,
    key_id TEXT NOT NULL,
    user_id TEXT,
    created REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS session_owners_key ON session_owners (key_id, created);
CREATE INDEX IF NOT EXISTS session_owners_user ON session_owners (user_id);
