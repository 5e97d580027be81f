-- Sessions, profile events and the profile-derived vectors (SQLite: state.sqlite3). IF NOT EXISTS:
-- files made before versioning (their tables created on open) adopt this version unchanged.
CREATE TABLE IF NOT EXISTS sessions (
    id TEXT PRIMARY KEY,
    user_id TEXT,
    state TEXT NOT NULL,
    updated REAL NOT NULL
);

CREATE TABLE IF NOT EXISTS profile_events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id TEXT NOT NULL,
    item_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    rating REAL,
    scene TEXT,
    session_id TEXT,
    ts REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS profile_events_user ON profile_events (user_id, seq);

CREATE TABLE IF NOT EXISTS profile_vectors (
    user_id TEXT NOT NULL,
    name TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    vector BLOB NOT NULL,
    PRIMARY KEY (user_id, name)
);
