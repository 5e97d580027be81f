-- A user's sessions are listed (export, delete) by user_id, as in PostgreSQL's schema.
CREATE INDEX IF NOT EXISTS sessions_user ON sessions (user_id, updated);
