"""The profile store on real SQLite: events, cached vectors, privacy delete, and durability when
a writer process is killed mid-way (WAL + one transaction per batch)."""

import os
import signal
import sqlite3
import subprocess
import sys
import time

import numpy as np
import pytest

from retrieval.profiles import ProfileEvent, ProfileStore
from tests.helpers import ROOT

BATCH = 25
WRITER = f"""
import sys
from pathlib import Path
from retrieval.profiles import ProfileEvent, ProfileStore
store = ProfileStore(Path(sys.argv[1]))
for batch in range(100000):
    store.add(ProfileEvent("ml:1", str(batch * {BATCH} + i), "like", scene="kids") for i in range({BATCH}))
    print(batch + 1, flush=True)  # acknowledged: this batch is committed
"""


def test_events_versions_vectors_and_delete(tmp_path):
    store = ProfileStore(tmp_path / "state.sqlite3")
    assert store.events("u1") == [] and store.version("u1") == 0
    store.add([ProfileEvent("u1", "1", "like", scene="kids"), ProfileEvent("u1", "2", "rating", rating=4.5),
               ProfileEvent("u2", "3", "dislike")])
    assert [(e.item_id, e.kind, e.scene) for e in store.events("u1")] == [("1", "like", "kids"), ("2", "rating", None)]
    v1 = store.version("u1")
    store.put_vectors("u1", "fp1", {"interest:*": np.arange(3.0)})
    assert np.array_equal(store.get_vectors("u1", "fp1")["interest:*"], np.arange(3.0))
    assert store.get_vectors("u1", "other-fingerprint") == {}
    store.add([ProfileEvent("u1", "4", "seen")])
    assert store.version("u1") > v1 and store.get_vectors("u1", "fp1") == {}  # new evidence: cache dropped
    with pytest.raises(ValueError):
        ProfileEvent("u1", "5", "loved")
    exported = store.export("u1")
    assert len(exported["events"]) == 3 and exported["user_id"] == "u1"
    assert store.delete_user("u1") == 3
    assert store.events("u1") == [] and store.users() == ["u2"]


def test_a_killed_writer_loses_nothing_it_committed(tmp_path):
    path = tmp_path / "state.sqlite3"
    ProfileStore(path).close()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(path)], stdout=subprocess.PIPE, text=True, env=env)
    acknowledged = 0
    deadline = time.time() + 60
    while acknowledged < 40 and time.time() < deadline:
        acknowledged = int(proc.stdout.readline())
    os.kill(proc.pid, signal.SIGKILL)  # mid-way: it is writing the next batch
    proc.wait()
    assert acknowledged >= 40
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    rows = conn.execute("SELECT COUNT(*) FROM profile_events").fetchone()[0]
    assert rows >= acknowledged * BATCH  # every acknowledged batch survived
    assert rows % BATCH == 0  # and no batch is half-written
    items = {int(r[0]) for r in conn.execute("SELECT item_id FROM profile_events")}
    assert items == set(range(rows))
    # the store opens and reads normally after the crash
    assert len(ProfileStore(path).events("ml:1")) == rows
