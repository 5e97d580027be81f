-- Rate-limit hits shared by every replica: one row per allowed hit, pruned as windows pass.
CREATE TABLE rate_hits (
    limiter TEXT NOT NULL,
    name TEXT NOT NULL,
    at DOUBLE PRECISION NOT NULL
);
CREATE INDEX rate_hits_window ON rate_hits (limiter, name, at);
