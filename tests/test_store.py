"""The per-person stores on both engines (a SQLite file; a real PostgreSQL with the migrations
applied): the same behaviour, whichever one holds the data."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from agent.sessions import SessionStore
from agent.state import DialogueState
from retrieval.profiles import ProfileEvent, ProfileStore
from ui.api.keys import KeyStore
from ui.api.ownership import SessionOwners


def test_sessions_round_trip_and_delete(database):
    store = SessionStore(database)
    state = DialogueState(liked_items=["1", "2"])
    store.save("s1", state, "k/alice")
    store.save("s1", DialogueState(liked_items=["3"]))  # the user id stays
    store.save("s2", state, "k/alice")
    loaded, user = store.load("s1")
    assert loaded.liked_items == ["3"] and user == "k/alice"
    assert [s.liked_items for s in store.user_states("k/alice")] == [["3"], ["1", "2"]]
    assert [r["id"] for r in store.for_user("k/alice")] == ["s1", "s2"]
    assert store.delete("s2") and not store.delete("s2")
    assert store.delete_user("k/alice") == 1 and store.load("s1") is None and store.user_states("k/alice") == []


def test_profiles_events_vectors_and_delete(database):
    store = ProfileStore(database)
    assert store.add([ProfileEvent("u", "1", "like", scene="kids", session_id="s"),
                      ProfileEvent("u", "2", "rating", rating=4.5), ProfileEvent("v", "3", "seen")]) == 3
    version, events = store.history("u")
    assert [(e.item_id, e.kind, e.rating, e.scene) for e in events] == [("1", "like", None, "kids"), ("2", "rating", 4.5, None)]
    assert version == store.version("u") > 0 and store.users() == ["u", "v"]
    store.put_vectors("u", "fp", {"interest:all": np.array([0.25, 0.75])})
    assert store.get_vectors("u", "fp")["interest:all"].tolist() == [0.25, 0.75] and store.get_vectors("u", "x") == {}
    store.add([ProfileEvent("u", "4", "dislike")])  # new evidence: the cached vectors are stale
    assert store.vector_names("u") == [] and store.version("u") > version
    store.put_vectors("u", "fp2", {"a": np.zeros(3)})
    assert store.delete_user("u") == 4 and store.events("u") == [] and store.vector_names("u") == []
    assert store.users() == ["v"]


def test_profile_events_are_all_or_none(database):
    store = ProfileStore(database)
    with pytest.raises(Exception):  # noqa: B017 - the engine's own error type
        store.add([ProfileEvent("u", "1", "like"), ProfileEvent("u", None, "like")])  # NOT NULL item_id
    assert store.events("u") == []


def test_keys_and_owners(database):
    keys = KeyStore(database)
    pk = keys.create("publishable", ["https://shop.example"])
    assert keys.verify(pk.token).origins == ("https://shop.example",)
    assert keys.publishable_origins() == {"https://shop.example"}
    KeyStore(database).create("publishable", ["https://new.example"])  # another process or replica
    assert keys.publishable_origins() == {"https://shop.example", "https://new.example"}
    assert keys.revoke(pk.key.id) and keys.verify(pk.token) is None
    owners = SessionOwners(database)
    owners.add("s1", "k", "k/alice")
    owners.add("s2", "k", None)
    assert owners.get("s1").user_id == "k/alice" and owners.get("nope") is None
    assert owners.sessions_of("k/alice") == ["s1"] and len(owners.created_since("k", 0)) == 2
    assert owners.delete_user("k/alice") == 1 and owners.get("s1") is None


def test_a_named_lock_is_exclusive(database):
    inside, overlaps = [], []

    def hold(n: int) -> None:
        with database.lock("session s1"):
            inside.append(n)
            overlaps.append(len(inside))
            threading.Event().wait(0.05)
            inside.remove(n)

    threads = [threading.Thread(target=hold, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert overlaps == [1, 1, 1, 1]


# -- PostgreSQL only ----------------------------------------------------------------------------------
def test_migrations_are_versioned_and_idempotent(postgres):
    from store.migrate import SchemaOutOfDate, applied, migrations, upgrade
    from store.postgres import PostgresDatabase

    db = PostgresDatabase(postgres.fresh_database("migrations_test"))
    try:
        with pytest.raises(SchemaOutOfDate, match="scenerec db upgrade"):
            SessionStore(db)  # a store on an unmigrated database says what to run
        assert [m.version for m in upgrade(db)] == [m.version for m in migrations()]
        assert upgrade(db) == [] and applied(db) == [m.version for m in migrations()]
        SessionStore(db).save("s", DialogueState())
    finally:
        db.close()


def test_a_dropped_connection_is_retried(postgres):
    from store.migrate import upgrade
    from store.postgres import PostgresDatabase

    db = PostgresDatabase(postgres.fresh_database("dropped_test"), min_size=1, max_size=1)
    try:
        upgrade(db)
        store = SessionStore(db)
        store.save("s", DialogueState(liked_items=["1"]))
        import psycopg

        with psycopg.connect(postgres.url, autocommit=True) as admin:  # the server ends our connection
            admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = 'dropped_test'")
        assert store.load("s")[0].liked_items == ["1"]
        store.save("s", DialogueState(liked_items=["2"]))
        assert store.load("s")[0].liked_items == ["2"]
    finally:
        db.close()


def test_deleted_rows_leave_no_bytes_in_the_sqlite_files(tmp_path):
    from store.sqlite import SQLiteDatabase

    db = SQLiteDatabase(tmp_path / "state.sqlite3")
    sessions, profiles = SessionStore(db), ProfileStore(db)
    sessions.save("s1", DialogueState(keywords=["MARKER-7f3a-forget-me"]), "k/zed")
    profiles.add([ProfileEvent("k/zed-MARKER-7f3a", "1", "like")])
    sessions.delete_user("k/zed")
    profiles.delete_user("k/zed-MARKER-7f3a")
    for f in tmp_path.glob("state.sqlite3*"):  # the database and its -wal file
        assert b"MARKER-7f3a" not in f.read_bytes(), f.name


def test_rate_limits_are_shared_by_replicas(postgres):
    from store.migrate import upgrade
    from store.postgres import PostgresDatabase
    from ui.api.limits import SharedWindowLimiter

    db = PostgresDatabase(postgres.fresh_database("limits_test"))
    try:
        upgrade(db)
        one, two = (SharedWindowLimiter(db, "turns per key", limit=3) for _ in range(2))  # two replicas
        assert [one.hit("k", 100.0), two.hit("k", 101.0), one.hit("k", 102.0)] == [None, None, None]
        assert two.hit("k", 103.0) == 57.0 and one.hit("k", 103.0) == 57.0  # the first hit leaves at 160
        assert one.hit("other", 103.0) is None
        assert two.hit("k", 160.5) is None  # the window moved on
        with ThreadPoolExecutor(8) as pool:  # racing replicas never both take the last slot
            waits = list(pool.map(lambda n: (one if n % 2 else two).hit("race", 500.0), range(20)))
        assert waits.count(None) == 3
    finally:
        db.close()


def test_session_locks_hold_across_replicas(postgres):
    """Two replicas (two pools) locking one session, and a delete locking several: never at once."""
    from store.migrate import upgrade
    from store.postgres import PostgresDatabase

    url = postgres.fresh_database("locks_test")
    dbs = [PostgresDatabase(url) for _ in range(2)]
    try:
        upgrade(dbs[0])
        inside, overlaps = [], []

        def hold(n: int) -> None:
            names = ["session s1"] if n % 2 else ["session s0", "session s1", "session s2"]
            with dbs[n % 2].lock(*names):
                inside.append(n)
                overlaps.append(len(inside))
                threading.Event().wait(0.05)
                inside.remove(n)

        with ThreadPoolExecutor(6) as pool:
            list(pool.map(hold, range(6)))
        assert overlaps == [1] * 6
    finally:
        for db in dbs:
            db.close()


# -- SQLite schema versions ---------------------------------------------------------------------------
def test_sqlite_files_are_versioned_like_postgresql(tmp_path):
    from store.sqlite import SQLiteDatabase
    from store.versions import sqlite_migrations

    db = SQLiteDatabase(tmp_path / "state.sqlite3")
    try:
        SessionStore(db).save("s", DialogueState())  # opening applies the file's migrations
        ProfileStore(db)
        assert db.applied("state") == [m.version for m in sqlite_migrations("state")] == [1, 2]
        assert db.upgrade("state") == []  # idempotent
        assert db.applied("api") == []  # another concern's tables stay out of this file
    finally:
        db.close()


def test_a_sqlite_file_from_before_versioning_is_upgraded_in_place(tmp_path):
    """The schema SceneRec created on open before migrations were numbered: rows kept, index added."""
    import sqlite3

    from store.sqlite import SQLiteDatabase

    path = tmp_path / "state.sqlite3"
    with sqlite3.connect(path) as old:
        old.execute("CREATE TABLE sessions (id TEXT PRIMARY KEY, user_id TEXT, state TEXT NOT NULL, updated REAL NOT NULL)")
        old.execute("INSERT INTO sessions VALUES ('s', 'k/ann', ?, 1.0)", (DialogueState(liked_items=["7"]).model_dump_json(),))
    old.close()
    db = SQLiteDatabase(path)
    try:
        assert [m.label for m in db.upgrade("state")] == ["0001_initial", "0002_sessions_by_user"]
        assert SessionStore(db).load("s")[0].liked_items == ["7"]
        indexes = {r[0] for r in db.rows("SELECT name FROM sqlite_master WHERE type = 'index'")}
        assert "sessions_user" in indexes and "profile_events_user" in indexes
    finally:
        db.close()


def test_a_sqlite_file_from_a_newer_scenerec_is_refused(tmp_path):
    from store.sqlite import SQLiteDatabase
    from store.versions import SchemaOutOfDate

    db = SQLiteDatabase(tmp_path / "api.sqlite3")
    KeyStore(db)
    db.run("INSERT INTO schema_migrations VALUES ('api', 99, 'from_the_future', 0)")
    db.close()
    db = SQLiteDatabase(tmp_path / "api.sqlite3")
    try:
        with pytest.raises(SchemaOutOfDate, match=r"\[99\].*upgrade SceneRec"):
            KeyStore(db)
    finally:
        db.close()


def test_processes_opening_a_new_sqlite_file_at_once_apply_each_migration_once(tmp_path):
    import subprocess
    import sys

    from tests.helpers import ROOT

    script = ("import sys; from store.sqlite import SQLiteDatabase; db = SQLiteDatabase(__import__('pathlib').Path(sys.argv[1])); "
              "print(len(db.upgrade('state')))")
    procs = [subprocess.Popen([sys.executable, "-c", script, str(tmp_path / "state.sqlite3")], cwd=ROOT,
                              stdout=subprocess.PIPE, text=True) for _ in range(4)]
    applied_now = sorted(int(p.communicate(timeout=120)[0]) for p in procs)
    assert applied_now == [0, 0, 0, 2]


def test_db_upgrade_brings_the_data_dirs_sqlite_files_up_to_date(tmp_path):
    from tests.helpers import run_cli

    first = run_cli(["db", "upgrade", "--data-dir", str(tmp_path / "data")], tmp_path)
    assert first.returncode == 0, first.stderr
    assert "state.sqlite3: applied 2 migration(s); the schema is at version 2" in first.stdout
    assert "api.sqlite3: applied 1 migration(s); the schema is at version 1" in first.stdout
    again = run_cli(["db", "upgrade", "--data-dir", str(tmp_path / "data")], tmp_path)
    assert again.stdout.count("up to date") == 2, again.stdout
