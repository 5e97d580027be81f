-- Sessions, profiles and feedback, API keys, session owners (PostgreSQL).
CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    user_id TEXT,
    state TEXT NOT NULL,
    updated DOUBLE PRECISION NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id, updated);

CREATE TABLE profile_events (
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id TEXT NOT NULL,
    item_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    rating DOUBLE PRECISION,
    scene TEXT,
    session_id TEXT,
    ts DOUBLE PRECISION NOT NULL
);
CREATE INDEX profile_events_user ON profile_events (user_id, seq);

CREATE TABLE profile_vectors (
    user_id TEXT NOT NULL,
    name TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    vector BYTEA NOT NULL,
    PRIMARY KEY (user_id, name)
);

CREATE TABLE api_keys (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    secret_hash TEXT NOT NULL,
    origins TEXT NOT NULL,
    label TEXT NOT NULL,
    created DOUBLE PRECISION NOT NULL,
    revoked INTEGER NOT NULL DEFAULT 0
);
-- the allowlist's version, bumped by any change to api_keys (by any replica)
CREATE TABLE api_keys_version (id INTEGER PRIMARY KEY CHECK (id = 1), version BIGINT NOT NULL);
INSERT INTO api_keys_version VALUES (1, 0);
CREATE FUNCTION api_keys_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE api_keys_version SET version = version + 1;
    RETURN NULL;
END $$;
CREATE TRIGGER api_keys_changed AFTER INSERT OR UPDATE OR DELETE ON api_keys
    FOR EACH STATEMENT EXECUTE FUNCTION api_keys_bump();

CREATE TABLE session_owners (
    session_id TEXT PRIMARY KEY,
    key_id TEXT NOT NULL,
    user_id TEXT,
    created DOUBLE PRECISION NOT NULL
);
CREATE INDEX session_owners_key ON session_owners (key_id, created);
CREATE INDEX session_owners_user ON session_owners (user_id);
